import type { FastifyInstance } from 'fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../api/app.js';
import { ContentStore } from '../../storage/content-store.js';
import type { TestDb } from './db.js';
import type { TestTemporal } from './temporal.js';

export const API_KEY = 'test-api-key-0123456789abcdef';
export const auth = { authorization: `Bearer ${API_KEY}` };

export function testApp(
  db: TestDb,
  temporal: TestTemporal,
  content?: ContentStore,
  logLines?: string[],
): Promise<FastifyInstance> {
  return buildApp({
    logger: logLines ? { level: 'info', stream: { write: (line) => void logLines.push(line) } } : false,
    orm: db.orm,
    temporal: temporal.settings,
    apiKeys: [API_KEY],
    content: content ?? new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-api-'))),
  });
}
