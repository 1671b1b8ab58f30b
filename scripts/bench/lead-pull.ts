import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectionConfig } from '../../config/connections.js';
import { ZOHO_PAGE_LIMIT } from '../../connectors/zoho-crm/zoho-crm.client.js';
import { dropDatabase } from '../../db/create-database.js';
import { migrate } from '../../db/migrate.js';
import { initOrm } from '../../db/mikro-orm.config.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { PgTokenStore } from '../../db/repositories/pg-token-store.js';
import { decodeKey } from '../../config/env.js';
import { SecretBox } from '../../db/secret-box.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { leadPull } from '../../workflows/index.js';
import type { LeadPullPosition } from '../../workflows/lead-definitions.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../children.js';
import { watchRss, workerReady } from './worker-memory.js';
import { startZohoSimulator } from './infra.js';
import { resolvePostgres } from '../postgres.js';
import { findOrBuildTemporal, freePort, startDevServer } from '../temporal-server.js';

/**
 * `npm run bench -- lead-pull`: a full pull of 100k Zoho leads (BENCH_LEADS) through Temporal, against the same
 * pull as a plain batched loop (same connector and bulk merge, no Temporal) and a naive loop (one select and one
 * insert-or-update per record, as the Django task did; first BENCH_NAIVE_LEADS records). Unthrottled budget.
 * Prints figures, asserts nothing.
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 100_000);
const NAIVE = Number(process.env.BENCH_NAIVE_LEADS ?? 10_000);
const BUDGET = { maxRequests: 1_000_000, perMs: 10_000, maxConcurrent: 10 };
const SECRETS = {
  BENCH_ZOHO_CLIENT_ID: '1000.SIMBENCH',
  BENCH_ZOHO_CLIENT_SECRET: 'bench-secret',
  BENCH_ZOHO_REFRESH_TOKEN: '1000.bench-refresh',
};
const KEY = randomBytes(32).toString('base64');
const cleanups: Array<() => Promise<unknown>> = [];

const connection = (id: string, accounts: string): ConnectionConfig => ({
  id,
  provider: 'zoho-crm',
  region: 'com',
  baseUrls: { accounts },
  budget: BUDGET,
  options: {},
  credentials: {
    clientId: { env: 'BENCH_ZOHO_CLIENT_ID' },
    clientSecret: { env: 'BENCH_ZOHO_CLIENT_SECRET' },
    refreshToken: { env: 'BENCH_ZOHO_REFRESH_TOKEN' },
  },
});

function line(name: string, values: Record<string, string | number>): void {
  console.log(
    `${name.padEnd(30)} ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
}

try {
  const sims = await startZohoSimulator(
    { SIM_SCALE_LEADS: String(LEADS) },
    {
      clientId: SECRETS.BENCH_ZOHO_CLIENT_ID,
      clientSecret: SECRETS.BENCH_ZOHO_CLIENT_SECRET,
      refreshToken: SECRETS.BENCH_ZOHO_REFRESH_TOKEN,
    },
    cleanups,
  );
  const requests = async () =>
    ((await (await fetch(`${sims.crm}/__admin/stats`)).json()) as { requests: number }).requests;
  const pg = await resolvePostgres({
    databaseUrl: process.env.DATABASE_URL,
    database: 'crm_sync_bench_leads',
    dataDir: mkdtempSync(join(tmpdir(), 'bench-pg-')),
    persistent: false,
  });
  cleanups.push(() => pg.stop());
  await dropDatabase(pg.url);
  await migrate(pg.url);
  const orm = await initOrm(pg.url);
  cleanups.push(() => orm.close());
  await new ConnectionsRepository(orm.em.fork()).apply(
    ['bench-zoho', 'bench-plain', 'bench-naive'].map((id) => connection(id, sims.accounts)),
  );
  const temporal = await startDevServer({ binary: findOrBuildTemporal(), port: await freePort() });
  cleanups.push(() => temporal.stop());
  const conn = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection: conn });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const workerFlags = process.env.BENCH_WORKER_FLAGS?.split(' ').filter(Boolean) ?? WORKER_NODE_FLAGS;
  const worker = spawn(
    process.execPath,
    [...workerFlags, '--import', 'tsx', fileURLToPath(new URL('../../worker/main.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        ...WORKER_ENV,
        ...SECRETS,
        DATABASE_URL: pg.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '',
        TOKEN_ENCRYPTION_KEY: KEY,
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-data-')),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await conn.close();
  });
  await workerReady(worker);
  const rss = watchRss(worker.pid!);
  cleanups.push(async () => rss.stop());
  console.log(`Zoho simulator: ${LEADS} leads; budget unthrottled; pages of ${ZOHO_PAGE_LIMIT}\n`);

  // Every scenario starts from an empty, freshly analyzed table, so none pays for another's rows or statistics.
  const emptyLeads = async () => {
    await orm.em.fork().getConnection().execute('truncate leads cascade');
    await orm.em.fork().getConnection().execute('analyze leads');
  };

  /** The plain loop in its own process with the worker's Node flags (see lead-pull-plain.ts). */
  const plainProcess = async (): Promise<{ count: number; ms: number }> => {
    const child = spawn(
      process.execPath,
      [...workerFlags, '--import', 'tsx', fileURLToPath(new URL('./lead-pull-plain.ts', import.meta.url))],
      {
        env: { ...process.env, ...WORKER_ENV, ...SECRETS, DATABASE_URL: pg.url, TOKEN_ENCRYPTION_KEY: KEY },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => child.once('exit', r));
    const json = /RESULT (.*)/.exec(out)?.[1];
    if (!json) throw new Error(`plain loop printed no result: ${out}`);
    return JSON.parse(json) as { count: number; ms: number };
  };
  // Warm-up, not measured: the first pull pays for cold caches (the simulator's sorted view, Postgres buffers),
  // which would otherwise favour whichever scenario runs second.
  await plainProcess();

  // 1 and 2, twice each, alternating: this 2-core machine also runs Postgres, Temporal and the simulator, and single
  // runs vary by ±15 %; the ratio uses the mean of each.
  const plainRun = async (round: number) => {
    await emptyLeads();
    const r0 = await requests();
    const { count, ms } = await plainProcess();
    line(`plain batched loop #${round}`, {
      records: count,
      'rec/s': (count / (ms / 1000)).toFixed(0),
      seconds: (ms / 1000).toFixed(1),
      'calls/1k': ((((await requests()) - r0) / count) * 1000).toFixed(1),
    });
    return count / (ms / 1000);
  };
  const temporalRun = async (round: number) => {
    await emptyLeads();
    const r0 = await requests();
    const t0 = performance.now();
    const workflowId = `lead-pull:bench-zoho:${round}`;
    const result = await client.workflow.execute(leadPull, {
      taskQueue,
      workflowId,
      args: [{ connectionId: 'bench-zoho', full: true }],
    });
    const ms = performance.now() - t0;
    const calls = (await requests()) - r0;
    await new Promise((r) => setTimeout(r, 1500));
    const lengths: number[] = [];
    for await (const wf of client.workflow.list({ query: `WorkflowId = '${workflowId}'` }))
      lengths.push(wf.historyLength);
    line(`temporal leadPull #${round}`, {
      records: result.created,
      'rec/s': (result.created / (ms / 1000)).toFixed(0),
      seconds: (ms / 1000).toFixed(1),
      'calls/1k': ((calls / result.created) * 1000).toFixed(1),
      runs: lengths.length,
      'history events/run (max)': Math.max(...lengths),
      errors: result.errors,
    });
    return result.created / (ms / 1000);
  };
  const temporalRates = [await temporalRun(1)];
  const plainRates = [await plainRun(1)];
  plainRates.push(await plainRun(2));
  temporalRates.push(await temporalRun(2));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const temporalRate = mean(temporalRates);
  const plainRate = mean(plainRates);

  // 3. The naive loop: one select and one insert or update per record.
  await emptyLeads();
  const t0 = performance.now();
  const registry = new DbConnectorRegistry(orm, new PgTokenStore(orm, new SecretBox(decodeKey(KEY)!)), {
    ...process.env,
    ...SECRETS,
  });
  const naiveZoho = await registry.capability('bench-naive', 'leads');
  const db = orm.em.fork().getConnection();
  let naiveCount = 0;
  for (let position: LeadPullPosition | null = { since: null, page: 1 }; position && naiveCount < NAIVE;) {
    const fetched = await naiveZoho.leadsPage(position);
    for (const r of fetched.leads.slice(0, NAIVE - naiveCount)) {
      const v = r.values;
      const cols = [v.firstName, v.lastName ?? '', v.email, v.phone, v.company, v.status, v.source];
      const [found] = await db.execute<Array<{ id: string }>>(
        'select id from leads where connection_id = ? and zoho_id = ?',
        ['bench-naive', r.zohoId],
      );
      if (found)
        await db.execute(
          'update leads set first_name = ?, last_name = ?, email = ?, phone = ?, company = ?, status = ?, source = ?, updated_at = now() where id = ?',
          [...cols, found.id],
        );
      else
        await db.execute(
          "insert into leads (connection_id, zoho_id, first_name, last_name, email, phone, company, status, source, sync_state, local_changed_at, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'synced', now(), now(), now())",
          ['bench-naive', r.zohoId, ...cols],
        );
      naiveCount += 1;
    }
    position = fetched.next;
  }
  const naiveMs = performance.now() - t0;
  const naiveRate = naiveCount / (naiveMs / 1000);
  line(`naive loop (first ${naiveCount})`, {
    records: naiveCount,
    'rec/s': naiveRate.toFixed(0),
    seconds: (naiveMs / 1000).toFixed(1),
  });
  console.log(
    `\nmeans: Temporal pull ${temporalRate.toFixed(0)} rec/s, plain batched loop ${plainRate.toFixed(0)} rec/s`,
  );
  console.log(
    `ratios: Temporal pull / plain batched loop = ${(temporalRate / plainRate).toFixed(2)}×; Temporal pull / naive loop = ${(temporalRate / naiveRate).toFixed(1)}×`,
  );
  console.log(
    `worker process RSS: ${(rss.ready / 1048576).toFixed(0)} MiB when ready, peak ${(rss.peak() / 1048576).toFixed(0)} MiB during the pull (high-water mark ${(rss.highWaterMark() / 1048576).toFixed(0)} MiB)`,
  );
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
