import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { pgQuery } from '../../db/repositories/lead-rows.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import type { CrmExtractResult } from '../../workflows/extract-definitions.js';
import { crmExtract } from '../../workflows/index.js';
import { simSecrets, zohoConnection } from '../helpers/connections.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
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
  // Enough deals (page after page), each call slowed a little, that a kill lands mid-extract.
  sims = await startTestSimulators({
    SIM_SCALE_DEALS: 2500,
    SIM_FAULTS: JSON.stringify({ zohoCrm: [{ kind: 'latency', latencyMs: 30 }] }),
  });
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `extract-${randomBytes(4).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-sync-extract-')),
    ...simSecrets,
  };
  const first = spawnWorker(env);
  workers.push(first);
  await first.ready;
}, 60_000);
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await connection?.close();
  await sims?.close();
  await db?.close();
});

const sql = <T>(text: string, params: unknown[] = []) => pgQuery<T>(db.orm.em.fork(), text, params);

async function newConnection(): Promise<string> {
  const conn = zohoConnection(sims);
  await new ConnectionsRepository(db.orm.em.fork()).apply([conn]);
  return conn.id;
}
const extract = (connectionId: string) =>
  client.workflow.start(crmExtract, {
    taskQueue: env.TEMPORAL_TASK_QUEUE!,
    workflowId: `crm-extract:${connectionId}`,
    args: [{ connectionId, full: true }],
  });

/** Everything a run leaves, without the connection id: rows, rejects, aggregates. */
async function endState(connectionId: string) {
  const rows = (table: string, columns: string, live: string) =>
    sql(`select ${columns} from ${table} where connection_id = $1 and ${live} order by external_id`, [connectionId]);
  return {
    accounts: await rows(
      'accounts',
      'external_id, name, industry, value, region, crm_modified_at',
      'deleted_at is null',
    ),
    contacts: await rows(
      'contacts',
      'external_id, first_name, last_name, email, job_title, lead_source, crm_modified_at',
      'deleted_at is null',
    ),
    deals: await rows(
      'deals',
      'external_id, name, amount, probability, normalized_stage, account_external_id, crm_created_at, extract_modified_at',
      'extracted_at is not null',
    ),
    rejects: await sql(
      `select domain, external_id, code, field from extract_rejects where connection_id = $1 order by domain, external_id`,
      [connectionId],
    ),
    aggregates: await sql(
      `select account_external_id, type, period_start::text, total_size, deal_count from deal_aggregations
        where connection_id = $1 order by 1, 2, 3`,
      [connectionId],
    ),
  };
}

let clean: Awaited<ReturnType<typeof endState>>;
let cleanResult: CrmExtractResult;

describe('crmExtract under faults', () => {
  beforeAll(async () => {
    const id = await newConnection();
    cleanResult = await (await extract(id)).result();
    clean = await endState(id);
    expect(clean.deals.length).toBeGreaterThan(2000);
  }, 180_000);

  it(
    'a worker killed with SIGKILL mid-extract, then restarted, ends as a clean run does',
    { timeout: 180_000 },
    async () => {
      const id = await newConnection();
      const handle = await extract(id);
      await vi.waitFor(
        async () => {
          const [row] = await sql<{ n: string }>(
            `select count(*) as n from deals where connection_id = $1 and extracted_at is not null`,
            [id],
          );
          expect(Number(row!.n)).toBeGreaterThan(400);
        },
        { timeout: 60_000, interval: 50 },
      );
      const victim = workers.at(-1)!;
      victim.process.kill('SIGKILL');
      await victim.exited;
      const [partial] = await sql<{ n: string }>(
        `select count(*) as n from deals where connection_id = $1 and extracted_at is not null`,
        [id],
      );
      expect(Number(partial!.n)).toBeLessThan(clean.deals.length);
      const next = spawnWorker(env);
      workers.push(next);
      await next.ready;
      const result = await handle.result();
      expect(await endState(id)).toEqual(clean);
      expect(result.received).toBeGreaterThanOrEqual(cleanResult.received);
      const run = await new SyncRunsRepository(db.orm.em.fork()).findLatestByWorkflowId(`crm-extract:${id}`);
      expect(run?.status).toBe('completed');
    },
  );

  it('429 bursts, 5xx and an expired token end as a clean run does', { timeout: 180_000 }, async () => {
    const id = await newConnection();
    const fault = async (rule: Record<string, unknown>) =>
      expect(
        (
          await fetch(`${sims.urls.zohoCrm}/__admin/faults`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(rule),
          })
        ).ok,
      ).toBe(true);
    await fault({ kind: 'status', status: 429, retryAfterSec: 1, pathPrefix: '/crm/v8/Deals', times: 3 });
    await fault({ kind: 'status', status: 500, pathPrefix: '/crm/v8/Accounts', times: 2 });
    await fault({ kind: 'status', status: 503, pathPrefix: '/crm/v8/Contacts', times: 2 });
    const handle = await extract(id);
    await vi.waitFor(
      async () => {
        const [row] = await sql<{ n: string }>(`select count(*) as n from deals where connection_id = $1`, [id]);
        expect(Number(row!.n)).toBeGreaterThan(200);
      },
      { timeout: 60_000, interval: 50 },
    );
    expect((await fetch(`${sims.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' })).ok).toBe(true);
    await handle.result();
    expect(await endState(id)).toEqual(clean);
    const rules = (
      (await (await fetch(`${sims.urls.zohoCrm}/__admin/faults`)).json()) as {
        rules: Array<{ kind: string; hits: number }>;
      }
    ).rules.filter((r) => r.kind === 'status');
    // A rule with `times` is dropped once served that often: the 429s, 500s and 503s were all served, and retried past.
    expect(rules).toEqual([]);
  });
});
