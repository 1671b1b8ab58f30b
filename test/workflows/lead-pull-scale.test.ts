import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncCursorsRepository } from '../../db/repositories/sync-cursors.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { leadPull } from '../../workflows/index.js';
import { simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

const LEADS = 2_600;
const SCALE = { SIM_SCALE_LEADS: LEADS, SIM_SEED: 4242 };
// The counted rules make sure each kind of fault happens; the 10 % one spreads more of them at random.
const FAULTS = {
  zohoCrm: [
    { kind: 'status', status: 429, retryAfterSec: 1, times: 3 },
    { kind: 'status', status: 503, times: 2, pathPrefix: '/crm/v8/Leads/deleted' },
    { kind: 'status', status: 500, probability: 0.1 },
  ],
};

let db: TestDb;
let clean: RunningSimulators;
let faulty: RunningSimulators;
let temporal: TestTemporal;
let cleanId = '';
let faultyId = '';

beforeAll(async () => {
  db = await createTestDb();
  clean = await startTestSimulators(SCALE);
  faulty = await startTestSimulators({ ...SCALE, SIM_FAULTS: JSON.stringify(FAULTS) });
  const list = [zohoConnection(clean), zohoConnection(faulty)];
  [cleanId, faultyId] = list.map((c) => c.id) as [string, string];
  await new ConnectionsRepository(db.orm.em.fork()).apply(list);
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
});
afterAll(async () => {
  await temporal?.close();
  await clean?.close();
  await faulty?.close();
  await db?.close();
});

const pull = (connectionId: string, suffix: string, small = false) =>
  temporal.client.workflow.start(leadPull, {
    taskQueue: temporal.settings.taskQueue,
    workflowId: `lead-pull:${connectionId}:${suffix}`,
    // `small`: 3 pages per activity and 2 activities per run, so the pull continues as new several times.
    args: [{ connectionId, ...(small ? { pagesPerActivity: 3, activitiesPerRun: 2 } : {}) }],
  });

async function endState(connectionId: string) {
  const rows = await db.orm.em
    .fork()
    .getConnection()
    .execute<Array<Record<string, unknown> & { status: string; company: string; sync_state: string }>>(
      `select zoho_id, first_name, last_name, email, phone, company, status, source, sync_state, base, remote_modified_at
       from leads where connection_id = ? order by zoho_id`,
      [connectionId],
    );
  return rows.map((r) => ({ ...r, remote_modified_at: new Date(r.remote_modified_at as string).toISOString() }));
}

async function pageTokenCalls(sims: RunningSimulators): Promise<number> {
  return ((await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { pageTokenCalls: number })
    .pageTokenCalls;
}

async function bulkEdit(sims: RunningSimulators, at: number): Promise<void> {
  const res = await fetch(`${sims.urls.zohoCrm}/__admin/records/Leads/bulk-update`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fields: { Lead_Status: 'Contacted', Company: 'Bulk Edit Co' }, at }),
  });
  expect(res.ok).toBe(true);
}

describe('leadPull at scale', () => {
  it(
    'pulls 2,600 leads edited in one second through page_token, moves the cursor to that second, and ends the same under 429s, 5xx and an expired token',
    { timeout: 300_000 },
    async () => {
      const first = await Promise.all([pull(cleanId, 'first'), pull(faultyId, 'first')]);
      // Expire the faulty org's tokens once its pull has made a few Zoho calls (progress moves only per activity,
      // and one activity reads all 13 pages).
      await vi.waitFor(
        async () =>
          expect(
            ((await (await fetch(`${faulty.urls.zohoCrm}/__admin/stats`)).json()) as { requests: number }).requests,
          ).toBeGreaterThanOrEqual(3),
        { timeout: 30_000, interval: 20 },
      );
      await fetch(`${faulty.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' });
      const [a, b] = await Promise.all(first.map((h) => h.result()));
      expect(a).toMatchObject({ created: LEADS, errors: 0 });
      expect(b).toMatchObject({ created: LEADS, errors: 0 });
      expect(faulty.zoho.auth.mintCount).toBeGreaterThanOrEqual(2);

      const at = Math.floor(Date.now() / 1000) * 1000 + 1000;
      await bulkEdit(clean, at);
      await bulkEdit(faulty, at);
      const tokenCallsBefore = await pageTokenCalls(clean);
      const second = await Promise.all([pull(cleanId, 'second', true), pull(faultyId, 'second')]);
      const [c, d] = await Promise.all(second.map((h) => h.result()));
      expect(c).toMatchObject({ updated: LEADS, errors: 0, created: 0 });
      expect(d).toMatchObject({ updated: LEADS, errors: 0, created: 0 });
      // 2,600 records share one second: pages 1–10 by number, the rest by page_token.
      expect((await pageTokenCalls(clean)) - tokenCallsBefore).toBeGreaterThanOrEqual(3);
      const cursors = new SyncCursorsRepository(db.orm.em.fork());
      expect(await cursors.get(cleanId, 'leads')).toBe(new Date(at).toISOString());
      expect(await cursors.get(faultyId, 'leads')).toBe(new Date(at).toISOString());

      // The clean pull continued as new (13+ pages, 6 per run) and left one completed run row with the totals.
      const runs = [];
      for await (const wf of temporal.client.workflow.list({ query: `WorkflowId = 'lead-pull:${cleanId}:second'` }))
        runs.push(wf);
      expect(runs.length).toBeGreaterThanOrEqual(3);
      const [row] = await db.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ status: string; counts: Record<string, number> }>>(
          'select status, counts from sync_runs where workflow_id = ?',
          [`lead-pull:${cleanId}:second`],
        );
      expect(row).toMatchObject({ status: 'completed', counts: { updated: LEADS } });

      const cleanState = await endState(cleanId);
      expect(cleanState).toHaveLength(LEADS);
      expect(
        cleanState.every((l) => l.status === 'Contacted' && l.company === 'Bulk Edit Co' && l.sync_state === 'synced'),
      ).toBe(true);
      expect(await endState(faultyId)).toEqual(cleanState);
      // Counted rules leave the list once used up: only the random one is left.
      const left = (await (await fetch(`${faulty.urls.zohoCrm}/__admin/faults`)).json()) as {
        rules: Array<{ status: number }>;
      };
      expect(left.rules.map((r) => r.status)).toEqual([500]);
    },
  );
});
