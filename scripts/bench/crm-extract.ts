import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { ConnectionConfig } from '../../config/connections.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { DealAggregationsRepository } from '../../db/repositories/deal-aggregations.repository.js';
import { pgQuery } from '../../db/repositories/lead-rows.js';
import { crmExtract } from '../../workflows/index.js';
import { API_NODE_FLAGS } from '../children.js';
import { type Cleanups, startBenchInfra, startBenchWorker, startZohoSimulator } from './infra.js';
import { watchRss } from './worker-memory.js';

/**
 * `npm run bench -- crm-extract`: (1) a full extract of BENCH_DEALS (100k) Zoho deals, BENCH_ACCOUNTS (20k) accounts
 * and BENCH_CONTACTS (50k) contacts through Temporal, unthrottled: records/s; (2) aggregates over BENCH_AGG_DEALS
 * (1M) deals written straight into Postgres: full recompute, incremental recompute after 1 % of the deals change,
 * and the same totals by a plain in-memory group-by in Node (the toolkit's pandas way); (3) a CSV export of those
 * deals streamed to a file by another process: rows/s and its peak RSS. Prints figures, asserts nothing.
 */
const DEALS = Number(process.env.BENCH_DEALS ?? 100_000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 20_000);
const CONTACTS = Number(process.env.BENCH_CONTACTS ?? 50_000);
const AGG_DEALS = Number(process.env.BENCH_AGG_DEALS ?? 1_000_000);
const AGG_ACCOUNTS = 20_000;
const SECRETS = {
  BENCH_ZOHO_CLIENT_ID: '1000.SIMBENCH',
  BENCH_ZOHO_CLIENT_SECRET: 'bench-secret',
  BENCH_ZOHO_REFRESH_TOKEN: '1000.bench-refresh',
};
const cleanups: Cleanups = [];
const mib = (bytes: number) => (bytes / 1_048_576).toFixed(0);

function line(name: string, values: Record<string, string | number>): void {
  console.log(
    `${name.padEnd(34)} ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
}

const zoho = (id: string, accounts: string): ConnectionConfig => ({
  id,
  provider: 'zoho-crm',
  region: 'com',
  baseUrls: { accounts },
  budget: { maxRequests: 1_000_000, perMs: 10_000, maxConcurrent: 10 },
  options: {},
  credentials: {
    clientId: { env: 'BENCH_ZOHO_CLIENT_ID' },
    clientSecret: { env: 'BENCH_ZOHO_CLIENT_SECRET' },
    refreshToken: { env: 'BENCH_ZOHO_REFRESH_TOKEN' },
  },
});

try {
  const { pg, orm, temporal, client } = await startBenchInfra(cleanups, { database: 'crm_sync_bench_extract' });
  const sql = <T>(text: string, params: unknown[] = []) => pgQuery<T>(orm.em.fork(), text, params);

  // 1. The extract through Temporal.
  const sims = await startZohoSimulator(
    {
      // Deals through the long-standing knob (deals with attachment metadata, which the extract ignores).
      SIM_SCALE_DEALS: String(DEALS),
      SIM_SCALE_EXTRACT_ACCOUNTS: String(ACCOUNTS),
      SIM_SCALE_EXTRACT_CONTACTS: String(CONTACTS),
    },
    {
      clientId: SECRETS.BENCH_ZOHO_CLIENT_ID,
      clientSecret: SECRETS.BENCH_ZOHO_CLIENT_SECRET,
      refreshToken: SECRETS.BENCH_ZOHO_REFRESH_TOKEN,
    },
    cleanups,
  );
  await new ConnectionsRepository(orm.em.fork()).apply([zoho('bench-zoho', sims.accounts)]);
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const worker = await startBenchWorker(
    { pgUrl: pg.url, temporalAddress: temporal.address, taskQueue, secrets: SECRETS },
    cleanups,
  );
  const rss = watchRss(worker.pid);
  const t0 = performance.now();
  const result = await client.workflow.execute(crmExtract, {
    taskQueue,
    workflowId: 'crm-extract:bench-zoho',
    args: [{ connectionId: 'bench-zoho', full: true }],
  });
  const s = (performance.now() - t0) / 1000;
  rss.stop();
  line('extract (Temporal, full, Zoho)', {
    records: result.received,
    'rec/s': (result.received / s).toFixed(0),
    seconds: s.toFixed(1),
    accounts: result.perDomain.accounts?.received ?? 0,
    contacts: result.perDomain.contacts?.received ?? 0,
    deals: result.perDomain.deals?.received ?? 0,
    kept: result.created,
    rejected: result.rejected,
    'worker RSS peak MiB': mib(rss.peak()),
  });
  console.log('  target: ≥ 20,000 records/s on this machine');

  // 2. Aggregates over 1M deals, written straight into Postgres (the extract's columns, as it would).
  const t1 = performance.now();
  await sql(
    `insert into deals (connection_id, provider, external_id, name, amount, normalized_stage, account_external_id,
                        crm_created_at, crm_modified_at, extract_modified_at, extracted_at, first_seen_at, updated_at)
     select 'bench-agg', 'zoho-crm', 'd' || g, 'Deal ' || g, round((random() * 100000)::numeric, 2),
            'Closed-Won', 'a' || (g % ${AGG_ACCOUNTS}),
            timestamptz '2025-01-01' + (random() * interval '730 days'), now(), now(), now(), now(), now()
       from generate_series(1, ${AGG_DEALS}) g`,
  );
  await sql('analyze deals');
  line('aggregates: 1M deals loaded', { deals: AGG_DEALS, seconds: ((performance.now() - t1) / 1000).toFixed(1) });
  const aggs = new DealAggregationsRepository(orm.em.fork());
  const t2 = performance.now();
  const full = await aggs.recomputeAll('bench-agg', 'UTC');
  const fullS = (performance.now() - t2) / 1000;
  line('aggregates: full recompute (SQL)', { periods: full.written, seconds: fullS.toFixed(2) });

  // 1 % of the deals change size, one in four of them moves to another account: the writes mark their periods.
  await sql(
    `with changed as (
       select id, account_external_id as old_account, crm_created_at from deals
        where connection_id = 'bench-agg' and id % 100 = 0),
     moved as (
       update deals d set amount = d.amount + 100,
              account_external_id = case when d.id % 400 = 0 then 'a' || ((d.id / 400) % ${AGG_ACCOUNTS}) else d.account_external_id end
         from changed c where d.id = c.id returning d.account_external_id, d.crm_created_at)
     insert into deal_aggregation_dirty (connection_id, account_external_id, at)
     select 'bench-agg', old_account, crm_created_at from changed
     union select 'bench-agg', account_external_id, crm_created_at from moved
     on conflict do nothing`,
  );
  const t3 = performance.now();
  const inc = await aggs.recomputeDirty('bench-agg', 'UTC');
  const incS = (performance.now() - t3) / 1000;
  const checksum = async () =>
    (
      await sql<{ total: string; n: string; rows: string }>(
        `select round(sum(total_size)::numeric, 2)::text as total, sum(deal_count)::text as n, count(*)::text as rows
           from deal_aggregations where connection_id = 'bench-agg'`,
      )
    )[0]!;
  const afterIncremental = await checksum();
  await aggs.recomputeAll('bench-agg', 'UTC');
  const afterFull = await checksum();
  line('aggregates: incremental (1 % changed)', {
    periods: inc.periods,
    written: inc.written,
    seconds: incS.toFixed(3),
    'faster than full': `${(fullS / incS).toFixed(0)}×`,
    'equal to a full recompute': JSON.stringify(afterIncremental) === JSON.stringify(afterFull) ? 'yes' : 'NO',
  });
  console.log('  target: incremental ≥ 20× faster than full');

  // The toolkit's way: every deal into memory, grouped there.
  const t4 = performance.now();
  const rows = await sql<{ a: string; amount: number; at: Date | string }>(
    `select account_external_id as a, amount, crm_created_at as at from deals where connection_id = 'bench-agg'`,
  );
  const groups = new Map<string, { total: number; n: number }>();
  for (const r of rows) {
    const day = new Date(r.at).toISOString().slice(0, 10);
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    for (const key of [
      `${r.a}|daily|${day}`,
      `${r.a}|weekly|${d.toISOString().slice(0, 10)}`,
      `${r.a}|monthly|${day.slice(0, 7)}`,
    ]) {
      const g = groups.get(key) ?? { total: 0, n: 0 };
      g.total += Number(r.amount);
      g.n += 1;
      groups.set(key, g);
    }
  }
  const nodeS = (performance.now() - t4) / 1000;
  line('aggregates: in-memory group-by (Node)', {
    periods: groups.size,
    seconds: nodeS.toFixed(2),
    'same period count': String(groups.size) === afterFull.rows ? 'yes' : `NO (${afterFull.rows})`,
    'SQL full / Node': `${(fullS / nodeS).toFixed(2)}×`,
    'bench RSS MiB': mib(process.memoryUsage().rss),
  });
  rows.length = 0;

  // 3. The 1M deals exported as CSV by a process of its own with the API's Node flags (its code path, minus HTTP).
  const exporter = spawn(
    process.execPath,
    [...API_NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('./crm-extract-export.ts', import.meta.url))],
    {
      env: { ...process.env, DATABASE_URL: pg.url, EXPORT_CONNECTION: 'bench-agg' },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exportRss = watchRss(exporter.pid!);
  let out = '';
  exporter.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => exporter.once('exit', r));
  exportRss.stop();
  const done = JSON.parse(/RESULT (.*)/.exec(out)?.[1] ?? '{}') as { rows?: number; ms?: number; bytes?: number };
  line('export: deals.csv (1M rows)', {
    rows: done.rows ?? 0,
    'rows/s': done.rows && done.ms ? (done.rows / (done.ms / 1000)).toFixed(0) : 'n/a',
    MB: ((done.bytes ?? 0) / 1_048_576).toFixed(0),
    'peak RSS MiB': mib(exportRss.peak()),
  });
  console.log('  target: export peak RSS < 300 MB');
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
