import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { fileSync } from '../../workflows/index.js';
import { hubspotConnection, simSecrets } from '../helpers/connections.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { hubspotExpected } from '../helpers/expected-files.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { spawnWorker } from '../helpers/worker-process.js';

let db: TestDb;
let sims: RunningSimulators;
let client: Client;
let connection: Connection;
let env: Record<string, string>;
const workers: Array<ReturnType<typeof spawnWorker>> = [];

beforeAll(async () => {
  db = await createTestDb();
  // Enough deals, each call slowed a little, that a kill lands mid-run.
  sims = await startTestSimulators({
    SIM_SCALE_HUBSPOT_DEALS: 800,
    SIM_FAULTS: JSON.stringify({ hubspot: [{ kind: 'latency', latencyMs: 40 }] }),
  });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `kill-${randomBytes(4).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-sync-kill-')),
    ...simSecrets,
  };
});
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await connection?.close();
  await sims?.close();
  await db?.close();
});

describe('fileSync survives a crashed worker', () => {
  it(
    'a worker killed with SIGKILL mid-run, then restarted, finishes with no missing and no duplicated rows',
    { timeout: 180_000 },
    async () => {
      const conn = hubspotConnection(sims);
      await new ConnectionsRepository(db.orm.em.fork()).apply([conn]);
      const first = spawnWorker(env);
      workers.push(first);
      await first.ready;
      const handle = await client.workflow.start(fileSync, {
        taskQueue: env.TEMPORAL_TASK_QUEUE!,
        workflowId: `file-sync:${conn.id}`,
        args: [{ connectionId: conn.id, mode: 'full', downloadContent: true }],
      });
      // Wait until some pages are written, then kill the worker without warning.
      await vi.waitFor(
        async () => expect(await db.orm.em.fork().count(FileMetadata, { connectionId: conn.id })).toBeGreaterThan(200),
        { timeout: 30_000, interval: 50 },
      );
      const before = await db.orm.em.fork().count(FileMetadata, { connectionId: conn.id });
      first.process.kill('SIGKILL');
      await first.exited;
      const expected = hubspotExpected(sims);
      expect(before).toBeGreaterThan(0);
      expect(before).toBeLessThan(expected.length);

      const second = spawnWorker(env);
      workers.push(second);
      await second.ready;
      const result = await handle.result();
      expect(result.errors).toBe(0);
      const rows = await db.orm.em
        .fork()
        .find(FileMetadata, { connectionId: conn.id }, { orderBy: { externalFileId: 'asc' } });
      expect(rows.map((r) => r.externalFileId)).toEqual(expected.map((f) => f.externalFileId));
      expect(rows.every((r) => r.contentSha256 && !r.deletedAt)).toBe(true);
      const run = await new SyncRunsRepository(db.orm.em.fork()).findLatestByWorkflowId(`file-sync:${conn.id}`);
      expect(run?.status).toBe('completed');
      second.process.kill('SIGTERM');
      await second.exited;
    },
  );
});
