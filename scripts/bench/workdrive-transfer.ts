import { randomBytes } from 'node:crypto';
import { budgetOf } from '../../config/connections.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { simulatorDefaults } from '../../simulators/config.js';
import { transferPeople } from '../../simulators/zoho/crm-seed-transfer.js';
import { buildCapabilities } from '../../worker/providers.js';
import { workflowIds } from '../../workflows/definitions.js';
import { workdriveTransfer } from '../../workflows/index.js';
import type { TransferCounts } from '../../workflows/workdrive-transfer-definitions.js';
import { sequentialTransfer } from './workdrive-transfer-loop.js';
import {
  type Cleanups,
  counters,
  defaultJob,
  historyOf,
  MB,
  rates,
  startSimulators,
} from './workdrive-transfer-stack.js';
import { watchRss } from './worker-memory.js';
import { startBenchInfra, startBenchWorker } from './infra.js';

/**
 * `npm run bench -- workdrive-transfer`: BENCH_RECORDS (200) org A contacts × BENCH_FILES_PER_RECORD (3)
 * attachments of BENCH_MIN_MB–BENCH_MAX_MB (1–5) copied into their org B WorkDrive folders by crm-sync (a real
 * worker process, the job and budgets of config/connections.default.json), after one BENCH_LARGE_MB (200) attachment
 * streamed alone; then the same files by the existing script's approach, a sequential loop holding each file in
 * memory, on fresh simulators. Every CRM and WorkDrive call answers after BENCH_LATENCY_MS (250), a hosted round
 * trip. MB are 2^20 bytes, as in WorkDrive's 250 MB limit. Prints figures, asserts nothing.
 */
const RECORDS = Number(process.env.BENCH_RECORDS ?? 200);
const FILES = Number(process.env.BENCH_FILES_PER_RECORD ?? 3);
const MIN_MB = Number(process.env.BENCH_MIN_MB ?? 1);
const MAX_MB = Number(process.env.BENCH_MAX_MB ?? 5);
const LARGE_MB = Number(process.env.BENCH_LARGE_MB ?? 200);
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 250);
const RSS_TARGET_MIB = 300;
const SIM = simulatorDefaults();
const SECRETS = {
  ZOHO_SIM_CLIENT_ID: SIM.ZOHO_SIM_CLIENT_ID,
  ZOHO_SIM_CLIENT_SECRET: SIM.ZOHO_SIM_CLIENT_SECRET,
  ZOHO_SIM_REFRESH_TOKEN: SIM.ZOHO_SIM_REFRESH_TOKEN,
  ZOHO_SIM_B_CLIENT_ID: SIM.ZOHO_SIM_B_CLIENT_ID,
  ZOHO_SIM_B_CLIENT_SECRET: SIM.ZOHO_SIM_B_CLIENT_SECRET,
  ZOHO_SIM_B_REFRESH_TOKEN: SIM.ZOHO_SIM_B_REFRESH_TOKEN,
};
const SEED = { records: RECORDS, filesPerRecord: FILES, minBytes: Math.round(MIN_MB * MB) };
const SIM_ENV = {
  SIM_SCALE_TRANSFER_RECORDS: String(RECORDS),
  SIM_SCALE_TRANSFER_FILES_PER_RECORD: String(FILES),
  SIM_SCALE_TRANSFER_MIN_BYTES: String(SEED.minBytes),
  SIM_SCALE_TRANSFER_MAX_BYTES: String(Math.round(MAX_MB * MB)),
  // Zoho's own limits (concurrency, daily credits) stay as the simulators default them.
  SIM_ZOHO_LATENCY_MS: String(LATENCY),
  SIM_FAULTS: JSON.stringify({ workdrive: LATENCY > 0 ? [{ kind: 'latency', latencyMs: LATENCY }] : [] }),
};
const cleanups: Cleanups = [];
const line = (name: string, values: Record<string, string | number>) =>
  console.log(
    `${name.padEnd(34)} ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
const mib = (bytes: number) => (bytes / MB).toFixed(0);

try {
  const sims = await startSimulators(
    { ...SIM_ENV, SIM_SCALE_TRANSFER_LARGE_FILE_BYTES: String(Math.round(LARGE_MB * MB)) },
    cleanups,
  );
  const { job, connections } = await defaultJob(sims);
  const { pg, orm, temporal, client } = await startBenchInfra(cleanups, { database: 'crm_sync_bench' });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  await new ConnectionsRepository(orm.em.fork()).apply(connections, [job]);
  const worker = await startBenchWorker(
    { pgUrl: pg.url, temporalAddress: temporal.address, taskQueue, secrets: SECRETS },
    cleanups,
  );
  const budgets = connections.map((c) => `${c.id} ${budgetOf(c).maxRequests}/${budgetOf(c).perMs / 1000} s`);
  console.log(
    `${RECORDS} records × ${FILES} attachments of ${MIN_MB}–${MAX_MB} MB, and one of ${LARGE_MB} MB (MB = 2^20 bytes); latency ${LATENCY} ms per call; budgets ${budgets.join(', ')}; ${job.parallelRecords} records at once\n`,
  );
  const transfer = async (args: { recordId?: string }) => {
    const handle = await client.workflow.start(workdriveTransfer, {
      taskQueue,
      workflowId: workflowIds.workdriveTransfer(job.id),
      args: [{ jobId: job.id, ...args }],
    });
    return { handle, counts: (await handle.result()) as TransferCounts };
  };

  // 1. The large attachment alone, so the worker's memory meanwhile is its own.
  const contacts = (await (await fetch(`${sims.urls.crmA}/__admin/records/Contacts`)).json()) as {
    records: Array<{ id: string; Name?: string }>;
  };
  const largeName = transferPeople({ ...SEED, largeFileBytes: 1 }).at(-1);
  const large = contacts.records.find((c) => c.Name === largeName)!;
  let rss = watchRss(worker.pid);
  let c0 = await counters(sims);
  let t0 = performance.now();
  const big = await transfer({ recordId: large.id });
  const bigRates = rates(c0, await counters(sims), performance.now() - t0);
  rss.stop();
  const bigPeak = rss.peak();
  line(`crm-sync, one ${LARGE_MB} MB attachment`, {
    ...bigRates.figures,
    failed: big.counts.filesFailed,
    'worker RSS peak MiB': mib(bigPeak),
    'before MiB': mib(rss.ready),
  });
  console.log(
    `  target: worker peak RSS under ${RSS_TARGET_MIB} MiB while streaming ${LARGE_MB} MB: ${bigPeak < RSS_TARGET_MIB * MB ? 'met' : 'NOT met'} (${mib(bigPeak)} MiB)`,
  );

  // 2. Every other record: the run takes the records whose checkbox is still false.
  rss = watchRss(worker.pid);
  c0 = await counters(sims);
  t0 = performance.now();
  const main = await transfer({});
  const ours = rates(c0, await counters(sims), performance.now() - t0);
  rss.stop();
  const history = await historyOf(client, job.id, main.handle, orm);
  line('crm-sync (worker process)', {
    ...ours.figures,
    records: main.counts.records,
    failed: main.counts.filesFailed,
    'history events: parent': history.parent,
    'per child (mean/max)': `${history.mean.toFixed(1)}/${history.max}`,
    'worker RSS peak MiB': mib(rss.peak()),
  });
  await sims.stop();

  // 3. The same files by the existing script's approach, on fresh simulators holding the same seed.
  const fresh = await startSimulators(SIM_ENV, cleanups);
  const [source, destination, wd] = (await defaultJob(fresh)).connections;
  const noTokenCache = {
    env: SECRETS,
    tokenStore: {
      get: async () => undefined,
      withLock: async <T>(_k: string, fn: (t: undefined) => Promise<T>) => fn(undefined),
    },
  };
  const caps = buildCapabilities(source!, noTokenCache);
  const destinationCaps = buildCapabilities(destination!, noTokenCache);
  const self = watchRss(process.pid);
  c0 = await counters(fresh);
  t0 = performance.now();
  const loop = await sequentialTransfer({
    records: caps.records!,
    destination: destinationCaps.records!,
    module: job.module,
    nameField: job.fields.recordName,
    checkboxField: job.fields.checkbox,
    fields: job.fields,
    workdrive: fresh.urls.workdrive,
    accounts: fresh.urls.accountsB,
    credentials: {
      clientId: SECRETS.ZOHO_SIM_B_CLIENT_ID,
      clientSecret: SECRETS.ZOHO_SIM_B_CLIENT_SECRET,
      refreshToken: SECRETS.ZOHO_SIM_B_REFRESH_TOKEN,
    },
    teamFolderId: job.teamFolderId,
    budget: budgetOf(wd!),
  });
  const theirs = rates(c0, await counters(fresh), performance.now() - t0);
  self.stop();
  line('sequential loop (bench process)', {
    ...theirs.figures,
    records: loop.records,
    'RSS peak MiB': mib(self.peak()),
    'before MiB': mib(self.ready),
  });
  console.log(
    `ratio: crm-sync moves ${(ours.mbps / theirs.mbps).toFixed(1)}× the MB/s and ${(ours.fps / theirs.fps).toFixed(1)}× the files/s of the sequential loop (target ≥ 3×)`,
  );
  console.log(
    `\nworker process RSS: ${mib(worker.readyRss)} MiB when ready, peak ${mib(Math.max(bigPeak, rss.peak()))} MiB (high-water mark incl. start-up ${mib(worker.highWaterMark())} MiB); ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 'default'} cached workflows`,
  );
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
