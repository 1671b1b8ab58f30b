import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DealToProjectJobSchema } from '../../config/jobs.js';
import { SiRequest } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { IntegrationRequestsRepository } from '../../db/repositories/integration-requests.repository.js';
import { planProject } from '../../domain/deal-project.js';
import { projectGuid } from '../../domain/project-guid.js';
import { DealProjectsService } from '../../services/deal-projects.service.js';
import { simulatorDefaults } from '../../simulators/config.js';
import { buildCapabilities } from '../../worker/providers.js';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../children.js';
import { watchRss, workerReady } from './worker-memory.js';
import { freePort } from '../temporal-server.js';
import { startBenchInfra } from './infra.js';

/**
 * `npm run bench -- deal-to-project`: BENCH_DEALS deals (1,000) pushed to D-Tools SI at once through requests and
 * workflows, against a plain sequential loop making the same calls (the Django service's way) for BENCH_SEQ_DEALS
 * (100); then BENCH_PROJECTS (500) projects × 4 change orders pulled back. Both simulators answer after
 * BENCH_LATENCY_MS (250) and enforce the budgets below; SI imports at once. Prints figures, asserts nothing.
 */
const DEALS = Number(process.env.BENCH_DEALS ?? 1000);
const SEQ = Number(process.env.BENCH_SEQ_DEALS ?? 100);
const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 500);
// A round trip to a hosted CRM or to D-Tools' cloud bridge, not a local socket; BENCH_LATENCY_MS changes it.
const LATENCY = Number(process.env.BENCH_LATENCY_MS ?? 250);
const ZOHO_BUDGET = { maxRequests: 1000, perMs: 10_000, maxConcurrent: 10 };
const SI_BUDGET = { maxRequests: 1000, perMs: 10_000, maxConcurrent: 10 };
const SIM = simulatorDefaults();
const SECRETS = {
  ZOHO_SIM_CLIENT_ID: SIM.ZOHO_SIM_CLIENT_ID,
  ZOHO_SIM_CLIENT_SECRET: SIM.ZOHO_SIM_CLIENT_SECRET,
  ZOHO_SIM_REFRESH_TOKEN: SIM.ZOHO_SIM_REFRESH_TOKEN,
  DTOOLS_SIM_API_KEY: SIM.DTOOLS_SIM_API_KEY,
};
const cleanups: Array<() => Promise<unknown>> = [];
const line = (name: string, values: Record<string, string | number>) =>
  console.log(
    `${name.padEnd(34)} ${Object.entries(values)
      .map(([k, v]) => `${k}=${v}`)
      .join('  ')}`,
  );
type Stats = { requests: number; writeCalls: number; noteCreates: number };

async function simulators(ports: { accounts: number; crm: number; si: number }): Promise<void> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../simulators/main.ts', import.meta.url)), '--in-memory'],
    {
      env: {
        ...process.env,
        SIM_HUBSPOT_PORT: '0',
        SIM_ZOHO_ACCOUNTS_PORT: String(ports.accounts),
        SIM_ZOHO_CRM_PORT: String(ports.crm),
        SIM_DTOOLS_SI_PORT: String(ports.si),
        SIM_ZOHO_WORKDRIVE_PORT: '0',
        SIM_ZOHO_B_ACCOUNTS_PORT: '0',
        SIM_ZOHO_B_CRM_PORT: '0',
        // About one deal in seven is seeded without an account (SI refuses those): seed enough to push DEALS.
        SIM_SCALE_DEALS: String(Math.ceil((DEALS + SEQ) * 1.3)),
        SIM_DTOOLS_SI_PROJECTS: '0',
        SIM_DTOOLS_SI_IMPORT_DELAY_MS: '0',
        SIM_ZOHO_LATENCY_MS: String(LATENCY),
        SIM_ZOHO_CONCURRENCY: String(ZOHO_BUDGET.maxConcurrent),
        SIM_ZOHO_DAILY_CREDITS: '1000000',
        SIM_FAULTS: JSON.stringify({ dtoolsSi: [{ kind: 'latency', latencyMs: LATENCY, pathPrefix: '/si/' }] }),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  cleanups.push(async () => child.kill('SIGTERM'));
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve()),
  );
}

try {
  const ports = { accounts: await freePort(), crm: await freePort(), si: await freePort() };
  await simulators(ports);
  const zohoUrl = `http://127.0.0.1:${ports.crm}`;
  const siUrl = `http://127.0.0.1:${ports.si}`;
  const zohoStats = async () => (await (await fetch(`${zohoUrl}/__admin/stats`)).json()) as Stats;
  const siStats = async () =>
    (await (await fetch(`${siUrl}/__admin/stats`)).json()) as {
      requests: number;
      publishCounts: Record<string, number>;
    };
  const { pg, orm, temporal, client } = await startBenchInfra(cleanups, { database: 'crm_sync_bench', poolMax: 10 });
  const taskQueue = `bench-${randomBytes(3).toString('hex')}`;
  const crm = {
    id: 'bench-zoho',
    provider: 'zoho-crm' as const,
    region: 'com' as const,
    baseUrls: { accounts: `http://127.0.0.1:${ports.accounts}` },
    credentials: {
      clientId: { env: 'ZOHO_SIM_CLIENT_ID' },
      clientSecret: { env: 'ZOHO_SIM_CLIENT_SECRET' },
      refreshToken: { env: 'ZOHO_SIM_REFRESH_TOKEN' },
    },
    budget: ZOHO_BUDGET,
    options: {},
  };
  const si = {
    id: 'bench-si',
    provider: 'dtools-si' as const,
    baseUrls: { api: `${siUrl}/si` },
    credentials: { apiKey: { env: 'DTOOLS_SIM_API_KEY' } },
    budget: SI_BUDGET,
    options: {},
  };
  const job = DealToProjectJobSchema.parse({
    id: 'bench-job',
    kind: 'deal-to-project',
    crm: crm.id,
    si: si.id,
    toDeal: {
      SI_Project_ID: 'id',
      SI_Project_Number: 'number',
      SI_Status: 'state',
      SI_Progress: 'progress',
      Amount: 'price',
      SI_Last_Sync: 'syncedAt',
    },
  });
  await new ConnectionsRepository(orm.em.fork()).apply([crm, si], [job]);
  const worker = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('../../worker/main.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        ...WORKER_ENV,
        ...SECRETS,
        DATABASE_URL: pg.url,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        LOG_LEVEL: 'warn',
        TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        DATA_DIR: mkdtempSync(join(tmpdir(), 'bench-data-')),
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
  cleanups.push(async () => rss.stop());

  const deals = (
    (await (await fetch(`${zohoUrl}/__admin/records/Deals`)).json()) as {
      records: Array<{ id: string; Account_Name: unknown }>;
    }
  ).records.filter((d) => d.Account_Name);
  const pushed = deals.slice(0, Math.min(DEALS, deals.length - SEQ));
  const loopDeals = deals.slice(pushed.length, pushed.length + SEQ);
  console.log(
    `Zoho: ${deals.length} deals with an account; ${pushed.length} pushed through crm-sync, ${loopDeals.length} by the sequential loop; latency ${LATENCY} ms; budgets ${ZOHO_BUDGET.maxRequests} and ${SI_BUDGET.maxRequests} requests / 10 s\n`,
  );

  // 1. Push through crm-sync: every request at once.
  const service = new DealProjectsService(
    { client, namespace: 'default', taskQueue, uiUrl: 'http://localhost:8233' },
    () => orm.em.fork(),
  );
  const z0 = await zohoStats();
  const s0 = await siStats();
  let t0 = performance.now();
  const ids: number[] = [];
  for (let i = 0; i < pushed.length; i += 50) {
    ids.push(
      ...(
        await Promise.all(
          pushed
            .slice(i, i + 50)
            .map((d) => service.create({ dealId: d.id, payload: { dealId: d.id }, source: 'api' })),
        )
      ).map((v) => v.id),
    );
  }
  for (;;) {
    const done = await orm.em.fork().count(SiRequest, { status: { $in: ['done', 'failed'] } });
    if (done >= ids.length) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const pushMs = performance.now() - t0;
  const z1 = await zohoStats();
  const s1 = await siStats();
  const failed = (await IntegrationRequestsRepository.si(orm.em.fork()).list({ status: 'failed' }, 200)).items.length;
  const duplicates = pushed.filter((d) => (s1.publishCounts[projectGuid(job.id, d.id)] ?? 0) > 1).length;
  const history = (await client.workflow.getHandle(`deal-to-project:${job.id}:${pushed[0]!.id}`).describe())
    .historyLength;
  // Fewest calls per deal: Zoho read, write-back read, write-back update; SI publish, one status read.
  const pushCalls = {
    zoho: (z1.requests - z0.requests) / pushed.length,
    si: (s1.requests - s0.requests) / pushed.length,
  };
  line('crm-sync push (parallel workflows)', {
    deals: pushed.length,
    seconds: (pushMs / 1000).toFixed(1),
    'deals/s': (pushed.length / (pushMs / 1000)).toFixed(1),
    'zoho calls/deal': pushCalls.zoho.toFixed(2),
    'si calls/deal': pushCalls.si.toFixed(2),
    'over minimum (3+2)': `${(((pushCalls.zoho + pushCalls.si) / 5 - 1) * 100).toFixed(1)}%`,
    'worker RSS peak so far MiB': (rss.peak() / 1048576).toFixed(0),
    failed,
    'duplicate projects': duplicates,
    'history events/run': history,
  });

  // 2. The sequential loop: one deal after another, the same calls, waiting on each.
  const caps = buildCapabilities(crm, {
    env: SECRETS,
    tokenStore: { get: async () => undefined, withLock: async (_k, fn) => fn(undefined) },
  });
  const sideCaps = buildCapabilities(si, {
    env: SECRETS,
    tokenStore: { get: async () => undefined, withLock: async (_k, fn) => fn(undefined) },
  });
  const z2 = await zohoStats();
  const s2 = await siStats();
  t0 = performance.now();
  for (const d of loopDeals) {
    const deal = (await caps.deals!.readDeal(d.id, Object.values(job.toProject)))!;
    const { fields } = planProject(deal.fields, job);
    const guid = projectGuid('bench-loop', d.id);
    const { messageId } = await sideCaps.projects!.publish({ id: guid, integrationProjectId: d.id, fields });
    let status = await sideCaps.projects!.publishStatus(messageId);
    while (status.state === 'queued') status = await sideCaps.projects!.publishStatus(messageId);
    await caps.deals!.readDeal(d.id, Object.keys(job.toDeal));
    await caps.deals!.updateDeal(d.id, {
      SI_Project_ID: guid,
      SI_Project_Number: status.projectNumber,
      SI_Status: status.state,
    });
  }
  const loopMs = performance.now() - t0;
  const z3 = await zohoStats();
  const s3 = await siStats();
  line(`sequential loop (${loopDeals.length} deals)`, {
    seconds: (loopMs / 1000).toFixed(1),
    'deals/s': (loopDeals.length / (loopMs / 1000)).toFixed(1),
    'zoho calls/deal': ((z3.requests - z2.requests) / loopDeals.length).toFixed(2),
    'si calls/deal': ((s3.requests - s2.requests) / loopDeals.length).toFixed(2),
  });
  console.log(
    `ratio: crm-sync pushes ${(pushed.length / pushMs / (loopDeals.length / loopMs)).toFixed(1)}× the deals per second of the sequential loop`,
  );

  // 3. Pull back: PROJECTS projects edited in SI with 4 change orders each.
  const edited = pushed.slice(0, PROJECTS).map((d) => projectGuid(job.id, d.id));
  const admin = (path: string, method: string, body: unknown) =>
    fetch(`${siUrl}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  for (let i = 0; i < edited.length; i += 20) {
    await Promise.all(
      edited.slice(i, i + 20).map(async (guid) => {
        await admin(`/__admin/projects/${guid}`, 'PATCH', { fields: { progress: 'In Progress', price: 12_345 } });
        for (let n = 1; n <= 4; n++)
          await admin(`/__admin/projects/${guid}/change-orders`, 'POST', {
            coName: `Change ${n}`,
            coStatus: 'Approved',
            price: 100 * n,
          });
      }),
    );
  }
  const z4 = await zohoStats();
  const s4 = await siStats();
  t0 = performance.now();
  let runs = 0;
  let applied = 0;
  let maxHistory = 0;
  for (;;) {
    const handle = await client.workflow.start('projectUpdatesToCrm', {
      taskQueue,
      workflowId: `project-updates:${job.id}`,
      args: [{ jobId: job.id, crm: crm.id, si: si.id }],
    });
    const r = (await handle.result()) as { projects: number };
    maxHistory = Math.max(maxHistory, (await handle.describe()).historyLength);
    runs += 1;
    applied += r.projects;
    if (r.projects === 0) break;
  }
  const pullMs = performance.now() - t0;
  const z5 = await zohoStats();
  const s5 = await siStats();
  line(`pull back (${edited.length} projects × 4 COs)`, {
    projects: applied,
    seconds: (pullMs / 1000).toFixed(1),
    'projects/s': (applied / (pullMs / 1000)).toFixed(1),
    'notes created': z5.noteCreates - z4.noteCreates,
    'zoho calls/project': ((z5.requests - z4.requests) / edited.length).toFixed(2),
    'si calls/project': ((s5.requests - s4.requests) / edited.length).toFixed(2),
    runs,
    'history events/run (max)': maxHistory,
  });
  console.log(
    `\nworker process RSS: peak ${(rss.peak() / 1048576).toFixed(0)} MiB (${(rss.ready / 1048576).toFixed(0)} MiB once ready; ${process.env.WORKER_MAX_CACHED_WORKFLOWS ?? 'default'} cached workflows)`,
  );
} finally {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
}
