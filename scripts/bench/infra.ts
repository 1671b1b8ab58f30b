import { Client, Connection } from '@temporalio/client';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { WORKER_ENV, WORKER_NODE_FLAGS } from '../children.js';
import { watchRss, workerReady } from './worker-memory.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dropDatabase } from '../../db/create-database.js';
import { migrate } from '../../db/migrate.js';
import { initOrm } from '../../db/mikro-orm.config.js';
import { resolvePostgres } from '../postgres.js';
import { findOrBuildTemporal, freePort, startDevServer } from '../temporal-server.js';

export type Cleanups = Array<() => Promise<unknown>>;

/**
 * What every bench runs on: a fresh, migrated database (DATABASE_URL's server, or an embedded one) and a Temporal
 * dev server of its own, with a client. Each part registers its own stop in `cleanups`.
 */
export async function startBenchInfra(cleanups: Cleanups, opts: { database: string; poolMax?: number }) {
  const pg = await resolvePostgres({
    databaseUrl: process.env.DATABASE_URL,
    database: opts.database,
    dataDir: mkdtempSync(join(tmpdir(), 'bench-pg-')),
    persistent: false,
  });
  cleanups.push(() => pg.stop());
  await dropDatabase(pg.url);
  await migrate(pg.url);
  const orm = await initOrm(pg.url, opts.poolMax ? { poolMax: opts.poolMax } : undefined);
  cleanups.push(() => orm.close());
  const temporal = await startDevServer({ binary: findOrBuildTemporal(), port: await freePort() });
  cleanups.push(() => temporal.stop());
  const connection = await Connection.connect({ address: temporal.address });
  cleanups.push(() => connection.close());
  return { pg, orm, temporal, connection, client: new Client({ connection }) };
}

/** The worker as in production, in its own process; its memory is sampled from /proc. */
export async function startBenchWorker(
  o: { pgUrl: string; temporalAddress: string; taskQueue: string; secrets: Record<string, string> },
  cleanups: Cleanups,
) {
  const worker = spawn(
    process.execPath,
    [...WORKER_NODE_FLAGS, '--import', 'tsx', fileURLToPath(new URL('../../worker/main.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        ...WORKER_ENV,
        ...o.secrets,
        DATABASE_URL: o.pgUrl,
        TEMPORAL_ADDRESS: o.temporalAddress,
        TEMPORAL_TASK_QUEUE: o.taskQueue,
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
  const once = watchRss(worker.pid!);
  once.stop();
  return { pid: worker.pid!, readyRss: once.ready, highWaterMark: once.highWaterMark };
}

/**
 * Zoho org A's Accounts and CRM simulators in a process of their own, in memory, unthrottled and without latency,
 * seeded with `env` (scale knobs) and answering to `secrets`' client.
 */
export async function startZohoSimulator(
  env: Record<string, string>,
  secrets: { clientId: string; clientSecret: string; refreshToken: string },
  cleanups: Cleanups,
): Promise<{ accounts: string; crm: string }> {
  const [accounts, crm] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('../../simulators/main.ts', import.meta.url)), '--in-memory'],
    {
      env: {
        ...process.env,
        SIM_HUBSPOT_PORT: '0',
        SIM_ZOHO_ACCOUNTS_PORT: String(accounts),
        SIM_ZOHO_CRM_PORT: String(crm),
        SIM_DTOOLS_SI_PORT: '0',
        SIM_ZOHO_WORKDRIVE_PORT: '0',
        SIM_ZOHO_B_ACCOUNTS_PORT: '0',
        SIM_ZOHO_B_CRM_PORT: '0',
        SIM_ZOHO_DAILY_CREDITS: '10000000',
        SIM_ZOHO_LATENCY_MS: '0',
        ZOHO_SIM_CLIENT_ID: secrets.clientId,
        ZOHO_SIM_CLIENT_SECRET: secrets.clientSecret,
        ZOHO_SIM_REFRESH_TOKEN: secrets.refreshToken,
        ...env,
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
  return { accounts: `http://127.0.0.1:${accounts}`, crm: `http://127.0.0.1:${crm}` };
}
