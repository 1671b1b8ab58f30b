import type { Client, WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type ConnectionConfig, loadConnectionsFile } from '../../config/connections.js';
import type { WorkdriveTransferJob } from '../../config/jobs.js';
import { TransferRecord } from '../../db/entities/index.js';
import type { initOrm } from '../../db/mikro-orm.config.js';
import { workflowIds } from '../../workflows/definitions.js';
import { freePort } from '../temporal-server.js';

/** The parts of the WorkDrive transfer bench: simulators, the default job, the worker, and what they count. */
export type Cleanups = Array<() => Promise<unknown>>;
export const MB = 1_048_576;

export interface Sims {
  urls: { accountsA: string; crmA: string; accountsB: string; crmB: string; workdrive: string };
  stop(): Promise<void>;
}

/** Org A and B (Accounts, CRM) and WorkDrive in a process of their own, in memory, with `env` (seed, latency). */
export async function startSimulators(env: Record<string, string>, cleanups: Cleanups): Promise<Sims> {
  const ports = {
    SIM_ZOHO_ACCOUNTS_PORT: await freePort(),
    SIM_ZOHO_CRM_PORT: await freePort(),
    SIM_ZOHO_B_ACCOUNTS_PORT: await freePort(),
    SIM_ZOHO_B_CRM_PORT: await freePort(),
    SIM_ZOHO_WORKDRIVE_PORT: await freePort(),
  };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../simulators/main.ts', import.meta.url)), '--in-memory'],
    {
      env: {
        ...process.env,
        ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
        SIM_HUBSPOT_PORT: '0',
        SIM_DTOOLS_SI_PORT: '0',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  };
  cleanups.push(stop);
  await new Promise<void>((resolve) =>
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('simulators ready') && resolve()),
  );
  const url = (port: number) => `http://127.0.0.1:${port}`;
  return {
    urls: {
      accountsA: url(ports.SIM_ZOHO_ACCOUNTS_PORT),
      crmA: url(ports.SIM_ZOHO_CRM_PORT),
      accountsB: url(ports.SIM_ZOHO_B_ACCOUNTS_PORT),
      crmB: url(ports.SIM_ZOHO_B_CRM_PORT),
      workdrive: url(ports.SIM_ZOHO_WORKDRIVE_PORT),
    },
    stop,
  };
}

/** The default connections file's transfer job and its three connections (budgets included), at these simulators. */
export async function defaultJob(sims: Sims): Promise<{ job: WorkdriveTransferJob; connections: ConnectionConfig[] }> {
  const doc = await loadConnectionsFile(
    fileURLToPath(new URL('../../config/connections.default.json', import.meta.url)),
  );
  const job = doc.jobs.find((j): j is WorkdriveTransferJob => j.kind === 'workdrive-transfer')!;
  const byId = (id: string) => doc.connections.find((c) => c.id === id)!;
  const { accountsA, accountsB, workdrive } = sims.urls;
  const connections = [
    { ...byId(job.source), baseUrls: { accounts: accountsA } },
    { ...byId(job.destinationCrm), baseUrls: { accounts: accountsB } },
    { ...byId(job.workdrive), baseUrls: { accounts: accountsB, api: workdrive, download: workdrive } },
  ] as ConnectionConfig[];
  return { job, connections };
}

type CrmStats = { requests: number; rejected429: number };
type WdStats = { requests: number; uploads: number; uploadBytes: number };
const get = async <T>(url: string) => (await (await fetch(url)).json()) as T;

/** What each simulator has counted so far: API calls, 429s, uploads and their bytes. */
export async function counters(sims: Sims) {
  const [a, b, wd] = await Promise.all([
    get<CrmStats>(`${sims.urls.crmA}/__admin/stats`),
    get<CrmStats>(`${sims.urls.crmB}/__admin/stats`),
    get<WdStats>(`${sims.urls.workdrive}/__admin/stats`),
  ]);
  return { a, b, wd };
}
type Counters = Awaited<ReturnType<typeof counters>>;

/** Files and MB uploaded between two readings, per second, and the API calls per file on each simulator. */
export function rates(before: Counters, after: Counters, ms: number) {
  const files = after.wd.uploads - before.wd.uploads;
  const bytes = after.wd.uploadBytes - before.wd.uploadBytes;
  const crmA = after.a.requests - before.a.requests;
  const crmB = after.b.requests - before.b.requests;
  const wd = after.wd.requests - before.wd.requests;
  const per = (n: number) => (files ? (n / files).toFixed(2) : '–');
  const seconds = ms / 1000;
  return {
    mbps: bytes / MB / seconds,
    fps: files / seconds,
    figures: {
      files,
      MB: (bytes / MB).toFixed(0),
      seconds: seconds.toFixed(1),
      'MB/s': (bytes / MB / seconds).toFixed(2),
      'files/s': (files / seconds).toFixed(2),
      'calls/file': per(crmA + crmB + wd),
      'crm A': per(crmA),
      'crm B': per(crmB),
      workdrive: per(wd),
      '429s': after.a.rejected429 - before.a.rejected429 + (after.b.rejected429 - before.b.rejected429),
    },
  };
}

/** History events of the parent's (last) run and of each record's child workflow. */
export async function historyOf(
  client: Client,
  jobId: string,
  handle: WorkflowHandleWithFirstExecutionRunId,
  orm: Awaited<ReturnType<typeof initOrm>>,
) {
  const parent = (await handle.describe()).historyLength;
  const rows = await orm.em
    .fork()
    .find(TransferRecord, { runId: handle.firstExecutionRunId }, { fields: ['recordId'] });
  const lengths: number[] = [];
  for (let i = 0; i < rows.length; i += 20) {
    const describe = async (recordId: string) =>
      (await client.workflow.getHandle(workflowIds.workdriveTransferRecord(jobId, recordId)).describe()).historyLength;
    lengths.push(...(await Promise.all(rows.slice(i, i + 20).map((r) => describe(r.recordId)))));
  }
  return {
    parent,
    mean: lengths.reduce((s, n) => s + n, 0) / Math.max(1, lengths.length),
    max: Math.max(0, ...lengths),
  };
}
