import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HttpClient } from '../../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../../connectors/hubspot/hubspot.client.js';
import { attachmentIds } from '../../connectors/hubspot/hubspot.mapper.js';
import { RateGovernor } from '../../connectors/rate-governor.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { fileSync } from '../../workflows/index.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../children.js';
import { watchRss, workerReady } from './worker-memory.js';
import { freePort } from '../temporal-server.js';
import { startBenchInfra } from './infra.js';

/**
 * `npm run bench -- file-sync`: HubSpot file sync against a simulator enforcing 190 requests per rolling 10 s.
 * Prints figures, asserts nothing. BENCH_DEALS, BENCH_FILES_PER_DEAL, BENCH_NAIVE_DEALS, BENCH_DOWNLOAD_DEALS scale it.
 */
const DEALS = Number(process.env.BENCH_DEALS ?? 2000);
const FILES_PER_DEAL = Number(process.env.BENCH_FILES_PER_DEAL ?? 3);
const NAIVE_DEALS = Number(process.env.BENCH_NAIVE_DEALS ?? 300);
const DOWNLOAD_DEALS = Number(process.env.BENCH_DOWNLOAD_DEALS ?? 100);
const BUDGET = { maxRequests: 190, perMs: 10_000, maxConcurrent: 10 };
const TOKEN = 'pat-sim-bench-token';

let peakRss = 0;
const rss = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);
const cleanups: Array<() => Promise<unknown>> = [];

async function simulators(): Promise<string> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../simulators/main.ts', import.meta.url)), '--in-memory'],
    {
      env: {
        ...process.env,
        SIM_HUBSPOT_PORT: String(port),
        SIM_ZOHO_ACCOUNTS_PORT: '0',
        SIM_ZOHO_CRM_PORT: '0',
        SIM_DTOOLS_SI_PORT: '0',
        SIM_ZOHO_WORKDRIVE_PORT: '0',
        SIM_ZOHO_B_ACCOUNTS_PORT: '0',
        SIM_ZOHO_B_CRM_PORT: '0',
        HUBSPOT_SIM_TOKEN: TOKEN,
        SIM_SCALE_HUBSPOT_DEALS: String(DEALS),
        SIM_HUBSPOT_FILES_PER_DEAL: String(FILES_PER_DEAL),
        SIM_HUBSPOT_PER_10S: String(BUDGET.maxRequests),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => {
    child.kill('SIGTERM');
  });
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    }),
  );
  return `http://127.0.0.1:${port}`;
}

const stats = async (url: string) =>
  (await (await fetch(`${url}/__admin/stats`)).json()) as {
    requests: number;
    rejected429: number;
    deals: number;
    notes: number;
    files: number;
  };

function line(name: string, values: Record<string, string | number>): void {
  console.log(
    `${name.padEnd(34)} ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
}

try {
  const hubspotUrl = await simulators();
  const { pg, orm, temporal, client } = await startBenchInfra(cleanups, { database: 'crm_sync_bench' });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  await new ConnectionsRepository(orm.em.fork()).apply([
    {
      id: 'bench-hubspot',
      provider: 'hubspot',
      baseUrls: { api: hubspotUrl },
      credentials: { accessToken: { env: 'BENCH_HUBSPOT_TOKEN' } },
      budget: BUDGET,
      options: {},
    },
  ]);
  // The worker runs as in production, in its own process; its memory is sampled from /proc.
  const worker = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('../../worker/main.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        ...WORKER_ENV,
        DATABASE_URL: pg.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
        NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS ?? '',
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-data-')),
        BENCH_HUBSPOT_TOKEN: TOKEN,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
  });
  await workerReady(worker);
  const rss = watchRss(worker.pid!);
  cleanups.push(async () => {
    rss.stop();
  });
  const s0 = await stats(hubspotUrl);
  console.log(
    `HubSpot simulator: ${s0.deals} deals, ${s0.notes} notes, ${s0.files} files; budget ${BUDGET.maxRequests} requests / 10 s\n`,
  );

  // 1. Batch sync of metadata.
  let t0 = performance.now();
  const handle = await client.workflow.start(fileSync, {
    taskQueue,
    workflowId: 'file-sync:bench-hubspot',
    args: [{ connectionId: 'bench-hubspot', mode: 'full' }],
  });
  const result = await handle.result();
  const batchMs = performance.now() - t0;
  const peakAfterBatch = rss.peak();
  const s1 = await stats(hubspotUrl);
  const batchCalls = s1.requests - s0.requests;
  // Fewest calls possible: deals 100 per list call, associations 1,000 per batch, notes and files 100 per call.
  const minimum =
    Math.ceil(s0.deals / 100) + Math.ceil(s0.deals / 1000) + Math.ceil(s0.notes / 100) + Math.ceil(s0.files / 100);
  const desc = await handle.describe();
  line('batch sync (metadata)', {
    files: result.created,
    'files/s': (result.created / (batchMs / 1000)).toFixed(0),
    seconds: (batchMs / 1000).toFixed(1),
    calls: batchCalls,
    'calls/1k deals': ((batchCalls / s0.deals) * 1000).toFixed(1),
    'batch minimum/1k deals': ((minimum / s0.deals) * 1000).toFixed(1),
    'over minimum': `${(((batchCalls - minimum) / minimum) * 100).toFixed(1)}%`,
    '429s': s1.rejected429 - s0.rejected429,
    'history events (last run)': desc.historyLength,
    runs: Math.ceil(result.pages / 20),
    failed: result.errors,
  });

  // Each scenario starts with an empty rolling window: the simulator counts the previous one's calls for 10 s.
  const settle = () => new Promise((r) => setTimeout(r, 10_500));

  // 2. The naive loop: per deal one associations call, per note one read, per file one read.
  await settle();
  const naive = new HubSpotClient(
    new HttpClient({ baseUrl: hubspotUrl, auth: hubspotBearer(TOKEN), governor: new RateGovernor(BUDGET) }),
  );
  t0 = performance.now();
  const s2 = await stats(hubspotUrl);
  let naiveDeals = 0;
  let naiveFiles = 0;
  for (let after: string | undefined; naiveDeals < NAIVE_DEALS;) {
    const page = await naive.listObjects('deals', { after, limit: 100 });
    for (const deal of page.results.slice(0, NAIVE_DEALS - naiveDeals)) {
      for (const noteId of await naive.associationsOf('deals', deal.id, 'notes')) {
        for (const fileId of attachmentIds(await naive.getObject('notes', noteId, ['hs_attachment_ids']))) {
          await naive.getFile(fileId);
          naiveFiles += 1;
        }
      }
      naiveDeals += 1;
    }
    after = page.nextAfter;
    if (!after) break;
  }
  const naiveMs = performance.now() - t0;
  const s3 = await stats(hubspotUrl);
  const naiveCalls = s3.requests - s2.requests;
  line(`naive loop (first ${naiveDeals} deals)`, {
    files: naiveFiles,
    'files/s': (naiveFiles / (naiveMs / 1000)).toFixed(1),
    seconds: (naiveMs / 1000).toFixed(1),
    calls: naiveCalls,
    'calls/1k deals': ((naiveCalls / naiveDeals) * 1000).toFixed(0),
    'req/s': (naiveCalls / (naiveMs / 1000)).toFixed(1),
    'share of budget': `${((naiveCalls / (naiveMs / 1000) / (BUDGET.maxRequests / 10)) * 100).toFixed(0)}%`,
    '429s': s3.rejected429 - s2.rejected429,
  });
  console.log(
    `ratio: the naive loop makes ${(naiveCalls / naiveDeals / (batchCalls / s0.deals)).toFixed(1)}× the calls per deal of the batch sync`,
  );

  // 3. Content for some deals: a signed URL (an API call) per private file; downloads come from file hosting.
  await settle();
  const dealIds = (await naive.listObjects('deals', { limit: Math.min(100, DOWNLOAD_DEALS) })).results.map((d) => d.id);
  const s4 = await stats(hubspotUrl);
  t0 = performance.now();
  const dl = await client.workflow.execute(fileSync, {
    taskQueue,
    workflowId: 'file-sync:bench-hubspot',
    args: [{ connectionId: 'bench-hubspot', mode: 'full', dealIds, downloadContent: true }],
  });
  const dlMs = performance.now() - t0;
  const s5 = await stats(hubspotUrl);
  const dlCalls = s5.requests - s4.requests;
  line(`download (${dealIds.length} deals)`, {
    files: dl.downloaded,
    'files/s': (dl.downloaded / (dlMs / 1000)).toFixed(1),
    seconds: (dlMs / 1000).toFixed(1),
    calls: dlCalls,
    'req/s': (dlCalls / (dlMs / 1000)).toFixed(1),
    'share of budget': `${((dlCalls / (dlMs / 1000) / (BUDGET.maxRequests / 10)) * 100).toFixed(0)}%`,
    '429s': s5.rejected429 - s4.rejected429,
    failed: dl.errors,
  });
  console.log(
    `\nworker process RSS: ${(rss.ready / 1048576).toFixed(0)} MiB when ready, peak ${(peakAfterBatch / 1048576).toFixed(0)} MiB by the end of the batch sync, ${(rss.peak() / 1048576).toFixed(0)} MiB by the end of the downloads (high-water mark incl. start-up ${(rss.highWaterMark() / 1048576).toFixed(0)} MiB); bench process peak ${(peakRss / 1048576).toFixed(0)} MiB`,
  );
} finally {
  clearInterval(rss);
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
