import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { ContentStore } from '../../storage/content-store.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import type { FileSyncInput } from '../../workflows/definitions.js';
import { fileSync } from '../../workflows/index.js';
import { hubspotConnection, simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { hubspotExpected, zohoExpected } from '../helpers/expected-files.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let content: ContentStore;
let hs: string;
let zo: string;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const h = hubspotConnection(sims);
  const z = zohoConnection(sims);
  hs = h.id;
  zo = z.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply([h, z]);
  content = new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-content-')));
  temporal = await startTestTemporal({ orm: db.orm, connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets), content });
});
afterAll(async () => { await temporal?.close(); await sims?.close(); await db?.close(); });

const sync = (input: FileSyncInput) => temporal.client.workflow.execute(fileSync, {
  taskQueue: temporal.settings.taskQueue, workflowId: `file-sync:${input.connectionId}`, args: [input],
});
const stored = async (connectionId: string) => (await db.orm.em.fork().find(FileMetadata, { connectionId }, { orderBy: { externalFileId: 'asc' } }));
const live = async (connectionId: string) => (await stored(connectionId)).filter((f) => !f.deletedAt);

describe('fileSync: seed data', () => {
  it('lands every HubSpot file once with its deal, name, size and type', async () => {
    const result = await sync({ connectionId: hs, mode: 'full' });
    const expected = hubspotExpected(sims);
    expect(result).toMatchObject({ created: expected.length, updated: 0, errors: 0, deals: 4 });
    const rows = await live(hs);
    expect(rows.map((r) => ({ externalFileId: r.externalFileId, dealExternalId: r.dealExternalId, name: r.name, size: r.size, extension: r.extension })))
      .toEqual(expected);
    expect(rows.every((r) => r.mimeType && r.provider === 'hubspot' && r.crmCreatedAt instanceof Date)).toBe(true);
  });

  it('lands every Zoho file once with its deal, name, size and type', async () => {
    const result = await sync({ connectionId: zo, mode: 'full' });
    const expected = zohoExpected(sims);
    expect(result).toMatchObject({ created: expected.length, errors: 0, deals: 5 });
    const rows = await live(zo);
    expect(rows.map((r) => ({ externalFileId: r.externalFileId, dealExternalId: r.dealExternalId, name: r.name, size: r.size, extension: r.extension })))
      .toEqual(expected);
  });

  it('a second run creates nothing and changes nothing', async () => {
    for (const id of [hs, zo]) {
      const before = (await stored(id)).map((r) => [r.id, r.updatedAt.getTime()]);
      const again = await sync({ connectionId: id, mode: 'full' });
      expect(again).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
      expect(again.unchanged).toBe(before.length);
      expect((await stored(id)).map((r) => [r.id, r.updatedAt.getTime()])).toEqual(before);
    }
  });
});
