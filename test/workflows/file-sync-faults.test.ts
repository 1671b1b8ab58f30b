import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { ContentStore } from '../../storage/content-store.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { type FileSyncInput, progressQuery } from '../../workflows/definitions.js';
import { fileSync } from '../../workflows/index.js';
import { hubspotConnection, simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

const SCALE = { SIM_SCALE_HUBSPOT_DEALS: 250, SIM_SCALE_DEALS: 40, SIM_SEED: 1234 };
const FAULTS = {
  hubspot: [
    { kind: 'status', status: 429, retryAfterSec: 1, times: 3 },
    { kind: 'status', status: 503, probability: 0.1 },
    // Downloads cut off mid-body: the rest of the body never comes.
    { kind: 'truncate', lengthHeader: 'full', pathPrefix: '/hubfs/', probability: 0.05 },
  ],
  zohoCrm: [
    { kind: 'status', status: 429, retryAfterSec: 1, times: 3 },
    { kind: 'status', status: 500, probability: 0.1 },
  ],
};

let db: TestDb;
let clean: RunningSimulators;
let faulty: RunningSimulators;
let temporal: TestTemporal;
const conns = { cleanHs: '', cleanZo: '', faultyHs: '', faultyZo: '' };

beforeAll(async () => {
  db = await createTestDb();
  clean = await startTestSimulators(SCALE);
  faulty = await startTestSimulators({ ...SCALE, SIM_FAULTS: JSON.stringify(FAULTS) });
  const list = [hubspotConnection(clean), zohoConnection(clean), hubspotConnection(faulty), zohoConnection(faulty)];
  [conns.cleanHs, conns.cleanZo, conns.faultyHs, conns.faultyZo] = list.map((c) => c.id) as [
    string,
    string,
    string,
    string,
  ];
  await new ConnectionsRepository(db.orm.em.fork()).apply(list);
  const content = new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-content-')));
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
    content,
  });
});
afterAll(async () => {
  await temporal?.close();
  await clean?.close();
  await faulty?.close();
  await db?.close();
});

const start = (input: FileSyncInput) =>
  temporal.client.workflow.start(fileSync, {
    taskQueue: temporal.settings.taskQueue,
    workflowId: `file-sync:${input.connectionId}`,
    args: [input],
  });

async function endState(connectionId: string) {
  const rows = await db.orm.em.fork().find(FileMetadata, { connectionId }, { orderBy: { externalFileId: 'asc' } });
  // duplicate_of is left out: both orgs are seeded alike, so the second one's files duplicate the first one's.
  return rows.map((r) => ({
    file: r.externalFileId,
    deal: r.dealExternalId,
    name: r.name,
    size: r.size,
    mime: r.mimeType,
    sha: r.contentSha256,
    deleted: r.deletedAt !== null,
  }));
}

describe('fileSync under faults', () => {
  it(
    '429 bursts with Retry-After, 10 % 5xx, downloads cut off and a token expiring mid-run end in the same state as a clean run',
    { timeout: 240_000 },
    async () => {
      const runs = [
        start({ connectionId: conns.cleanHs, mode: 'full', downloadContent: true }),
        start({ connectionId: conns.cleanZo, mode: 'full', downloadContent: true }),
        start({ connectionId: conns.faultyHs, mode: 'full', downloadContent: true }),
        start({ connectionId: conns.faultyZo, mode: 'full', downloadContent: true }),
      ];
      const handles = await Promise.all(runs);
      // Expire the faulty Zoho org's tokens once its sync is under way (its first page of deals is in).
      await vi.waitFor(async () => expect((await handles[3]!.query(progressQuery)).done).toBeGreaterThanOrEqual(1), {
        timeout: 60_000,
        interval: 50,
      });
      await fetch(`${faulty.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' });
      const results = await Promise.all(handles.map((h) => h.result()));
      for (const r of results) expect(r.errors).toBe(0);
      const hubspotFaults = (await (await fetch(`${faulty.urls.hubspot}/__admin/faults`)).json()) as {
        rules: Array<{ kind: string; hits: number }>;
      };
      expect(hubspotFaults.rules.reduce((n, r) => n + r.hits, 0)).toBeGreaterThan(0);
      expect(hubspotFaults.rules.find((r) => r.kind === 'truncate')?.hits).toBeGreaterThan(0);
      const cleanHs = await endState(conns.cleanHs);
      const cleanZo = await endState(conns.cleanZo);
      expect(cleanHs.length).toBeGreaterThan(250);
      expect(await endState(conns.faultyHs)).toEqual(cleanHs);
      expect(await endState(conns.faultyZo)).toEqual(cleanZo);
      expect(faulty.zoho.auth.mintCount).toBeGreaterThanOrEqual(2);
    },
  );
});
