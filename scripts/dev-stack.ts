import { resolve } from 'node:path';
import { loadConnectionsFile, missingSecrets } from '../config/connections.js';
import { ConfigError, loadDotEnv, parseEnv } from '../config/env.js';
import { migrate } from '../db/migrate.js';
import { initOrm } from '../db/mikro-orm.config.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { JobsRepository } from '../db/repositories/jobs.repository.js';
import { simulatorDefaults, stateDirOf } from '../simulators/config.js';
import { removeState } from '../simulators/state.js';
import { hasCapability } from '../domain/providers.js';
import { Client, Connection } from '@temporalio/client';
import { SchedulesService, type ScheduleInput, transferScheduleOf } from '../services/schedules.service.js';
import {
  API_NODE_FLAGS,
  type Child,
  startChild,
  stopChild,
  WORKER_ENV,
  WORKER_NODE_FLAGS,
  waitForHttp,
} from './children.js';
import { devSecrets } from './dev-secrets.js';
import { resolvePostgres, type PostgresHandle } from './postgres.js';
import { stopWhenOrphaned } from './supervision.js';
import { type DevServer, findOrBuildTemporal, isListening, startDevServer } from './temporal-server.js';

/**
 * `npm start`: Postgres and Temporal (found or started), migrations, simulators, worker and API as children,
 * default connections applied. Ctrl-C or SIGTERM stops everything it started.
 */
const DATA = resolve('.data');
/** Created once; afterwards it is the user's to change, pause or delete through /schedules. */
const DEFAULT_FILE_SYNC_SCHEDULE: ScheduleInput = {
  id: 'file-sync-every-15m',
  kind: 'file-sync-all',
  every: '15m',
  options: { mode: 'incremental' },
  note: 'default incremental file sync (created by npm start)',
};
/** One per zoho-crm connection, every 5 minutes (the lead sync's default). */
const leadPullSchedule = (connectionId: string): ScheduleInput => ({
  id: `lead-pull-every-5m-${connectionId}`,
  kind: 'lead-pull',
  connectionId,
  every: '5m',
  note: 'default lead pull (created by npm start)',
});
/** One per CRM connection, daily at 03:00 UTC: the analysts' cron job it replaces ran nightly. */
const extractSchedule = (connectionId: string): ScheduleInput => ({
  id: `crm-extract-daily-${connectionId}`,
  kind: 'crm-extract',
  connectionId,
  cron: '0 3 * * *',
  timezone: 'UTC',
  options: { mode: 'incremental' },
  note: 'default CRM extract (created by npm start)',
});
/** Starts SI requests left waiting; every minute, so a request for a busy deal waits at most that long. */
const REQUEST_SWEEP_SCHEDULE: ScheduleInput = {
  id: 'request-sweep-every-1m',
  kind: 'request-sweep',
  every: '1m',
  note: 'starts SI requests left waiting (created by npm start)',
};
/** SI project changes and change orders to the deals, every 10 minutes. */
const SI_POLL_SCHEDULE: ScheduleInput = {
  id: 'si-poll-every-10m',
  kind: 'si-poll',
  every: '10m',
  note: 'SI project updates and change orders to their deals (created by npm start)',
};
const log = (m: string) => console.log(`[start] ${m}`);

/**
 * Creates or updates a default schedule, trying again when Temporal does not answer: a dev server just restarted on
 * its old state has been seen to time out one schedule's describe ("Failed to describe schedule") while it recovers
 * the schedules' own workflows, and one slow answer must not stop the whole stack.
 */
async function ensureSchedule(schedules: SchedulesService, input: ScheduleInput) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await schedules.ensure(input);
    } catch (err) {
      if (attempt >= 4 || stopping) throw err;
      log(`schedule ${input.id}: ${(err as Error).message}; trying again (${attempt} of 3)`);
      await new Promise((r) => setTimeout(r, 2000 * attempt));
    }
  }
}
const children: Child[] = [];
let pg: PostgresHandle | undefined;
let temporal: DevServer | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    log('stopping…');
    const step = async (name: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        log(`stopping ${name} failed: ${(err as Error).message}`);
      }
    };
    await Promise.all(children.map((c) => step(c.name, () => stopChild(c))));
    await step('temporal', async () => temporal?.stop());
    await step('postgres', async () => pg?.stop());
    log('stopped');
  }
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
stopWhenOrphaned(() => void shutdown(0));

try {
  loadDotEnv();
  const secrets = devSecrets(DATA);
  const sim = simulatorDefaults(
    Object.fromEntries(
      Object.entries(process.env).filter(([k, v]) => k.startsWith('SIM_') && v !== undefined),
    ) as Record<string, string>,
  );
  const generatedKey = !process.env.API_KEYS;
  const base: NodeJS.ProcessEnv = {
    ...process.env,
    TOKEN_ENCRYPTION_KEY: process.env.TOKEN_ENCRYPTION_KEY ?? secrets.tokenEncryptionKey,
    API_KEYS: process.env.API_KEYS ?? secrets.apiKey,
    HUBSPOT_SIM_TOKEN: process.env.HUBSPOT_SIM_TOKEN ?? sim.HUBSPOT_SIM_TOKEN,
    ZOHO_SIM_CLIENT_ID: process.env.ZOHO_SIM_CLIENT_ID ?? sim.ZOHO_SIM_CLIENT_ID,
    ZOHO_SIM_CLIENT_SECRET: process.env.ZOHO_SIM_CLIENT_SECRET ?? sim.ZOHO_SIM_CLIENT_SECRET,
    ZOHO_SIM_REFRESH_TOKEN: process.env.ZOHO_SIM_REFRESH_TOKEN ?? sim.ZOHO_SIM_REFRESH_TOKEN,
    ZOHO_SIM_B_CLIENT_ID: process.env.ZOHO_SIM_B_CLIENT_ID ?? sim.ZOHO_SIM_B_CLIENT_ID,
    ZOHO_SIM_B_CLIENT_SECRET: process.env.ZOHO_SIM_B_CLIENT_SECRET ?? sim.ZOHO_SIM_B_CLIENT_SECRET,
    ZOHO_SIM_B_REFRESH_TOKEN: process.env.ZOHO_SIM_B_REFRESH_TOKEN ?? sim.ZOHO_SIM_B_REFRESH_TOKEN,
    DTOOLS_SIM_API_KEY: process.env.DTOOLS_SIM_API_KEY ?? sim.DTOOLS_SIM_API_KEY,
  };

  pg = await resolvePostgres({ databaseUrl: process.env.DATABASE_URL, database: 'crm_sync', dataDir: DATA, log });
  base.DATABASE_URL = pg.url;
  const env = parseEnv(base);
  log(`postgres: ${pg.source} (${pg.url.replace(/:[^:@/]+@/, ':***@')})`);
  const applied = await migrate(env.DATABASE_URL);
  log(applied.length ? `migrations applied: ${applied.join(', ')}` : 'database schema is up to date');

  if (await isListening(env.TEMPORAL_ADDRESS)) {
    log(`temporal: using the server at ${env.TEMPORAL_ADDRESS}`);
  } else {
    const binary = findOrBuildTemporal(log);
    const port = Number(env.TEMPORAL_ADDRESS.split(':')[1]);
    temporal = await startDevServer({
      binary,
      port,
      uiPort: Number(new URL(env.TEMPORAL_UI_URL).port || 8233),
      dbFile: resolve(DATA, 'temporal.db'),
    });
    log(`temporal: dev server started (${binary}), state in .data/temporal.db`);
  }

  // The simulators keep their data across restarts, like the CRMs they stand for; their child prints what it loaded.
  const simState = stateDirOf(sim);
  if (process.argv.includes('--reset-simulators')) {
    const crm = `${sim.SIM_HOST}:${sim.SIM_ZOHO_CRM_PORT}`;
    if (await isListening(crm))
      throw new Error(
        `--reset-simulators: ${crm} is in use (simulators already running?); their data is left as it is`,
      );
    await removeState(simState);
    log(`simulators: saved data in ${simState} discarded (--reset-simulators); they start from the seed`);
  }
  const sims = startChild('simulators', 'simulators/main.ts', base);
  children.push(sims);
  await waitForHttp(`http://${sim.SIM_HOST}:${sim.SIM_ZOHO_CRM_PORT}/__admin/stats`, 30_000, sims);

  const { connections, jobs } = await loadConnectionsFile(env.CONNECTIONS_FILE);
  const orm = await initOrm(env.DATABASE_URL, { poolMax: 2 });
  const result = await new ConnectionsRepository(orm.em.fork()).apply(connections, jobs);
  log(`connections from ${env.CONNECTIONS_FILE}: ${[...result.created, ...result.updated].join(', ')}`);
  for (const c of connections) {
    const missing = missingSecrets(c, base);
    if (missing.length) log(`warning: connection ${c.id} needs ${missing.join(', ')} in the environment`);
  }

  const worker = startChild('worker', 'worker/main.ts', { ...base, ...WORKER_ENV }, WORKER_NODE_FLAGS);
  const api = startChild('api', 'api/server.ts', base, API_NODE_FLAGS);
  children.push(worker, api);
  const apiUrl = `http://${env.HOST === '0.0.0.0' ? '127.0.0.1' : env.HOST}:${env.PORT}`;
  await waitForHttp(`${apiUrl}/health`, 60_000, api);

  const temporalConnection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
  const schedules = new SchedulesService(
    {
      client: new Client({ connection: temporalConnection, namespace: env.TEMPORAL_NAMESPACE }),
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
      uiUrl: env.TEMPORAL_UI_URL,
    },
    () => orm.em.fork(),
  );
  const schedule = await ensureSchedule(schedules, DEFAULT_FILE_SYNC_SCHEDULE);
  log(
    `schedule ${schedule.view.id}: incremental file sync of all connections every ${schedule.view.every ?? schedule.view.cron}${schedule.created ? ' (created)' : ''}${schedule.view.paused ? ', paused' : ''}`,
  );
  const transferJobs = await new JobsRepository(orm.em.fork()).workdriveTransfer();
  // A transfer's destination CRM is where folders are recorded, not a source of leads: no lead pull by default.
  const destinations = new Set(transferJobs.map((j) => j.destinationCrm));
  for (const c of (await new ConnectionsRepository(orm.em.fork()).list()).filter(
    (r) => hasCapability(r.provider, 'leads') && !destinations.has(r.id),
  )) {
    const pull = await ensureSchedule(schedules, leadPullSchedule(c.id));
    log(
      `schedule ${pull.view.id}: lead pull (and push safety net) for ${c.id} every ${pull.view.every ?? pull.view.cron}${pull.created ? ' (created)' : ''}${pull.view.paused ? ', paused' : ''}`,
    );
  }
  for (const c of (await new ConnectionsRepository(orm.em.fork()).list()).filter((r) =>
    hasCapability(r.provider, 'extract'),
  )) {
    const extract = await ensureSchedule(schedules, extractSchedule(c.id));
    log(
      `schedule ${extract.view.id}: CRM extract of ${c.id} (accounts, contacts, deals) daily at 03:00 UTC${extract.created ? ' (created)' : ''}${extract.view.paused ? ', paused' : ''}`,
    );
  }
  for (const job of transferJobs) {
    const daily = await ensureSchedule(schedules, transferScheduleOf(job));
    log(
      `schedule ${daily.view.id}: WorkDrive transfer ${job.id} daily at ${job.dailyAt} ${job.timeZone}${daily.created ? ' (created)' : ''}${daily.view.paused ? ', paused: resume it in the Temporal UI or PATCH /schedules' : ''}`,
    );
  }
  const sweep = await ensureSchedule(schedules, REQUEST_SWEEP_SCHEDULE);
  log(
    `schedule ${sweep.view.id}: starts SI requests left waiting every ${sweep.view.every ?? sweep.view.cron}${sweep.created ? ' (created)' : ''}`,
  );
  const poll = await ensureSchedule(schedules, SI_POLL_SCHEDULE);
  log(
    `schedule ${poll.view.id}: SI project updates to deals every ${poll.view.every ?? poll.view.cron}${poll.created ? ' (created)' : ''}`,
  );
  await temporalConnection.close();
  await orm.close();

  for (const c of children) {
    void c.exited.then((code) => {
      if (!stopping) {
        log(`${c.name} exited unexpectedly (code ${code}); stopping the stack`);
        void shutdown(1);
      }
    });
  }
  console.log(
    [
      '',
      'crm-sync is running',
      `  API           ${apiUrl}`,
      `  API docs      ${apiUrl}/docs`,
      `  Temporal UI   ${env.TEMPORAL_UI_URL}`,
      `  HubSpot sim   http://${sim.SIM_HOST}:${sim.SIM_HUBSPOT_PORT}`,
      `  Zoho Accounts http://${sim.SIM_HOST}:${sim.SIM_ZOHO_ACCOUNTS_PORT}`,
      `  Zoho CRM sim  http://${sim.SIM_HOST}:${sim.SIM_ZOHO_CRM_PORT}/crm/v8`,
      `  Zoho B Accts  http://${sim.SIM_HOST}:${sim.SIM_ZOHO_B_ACCOUNTS_PORT}   (org B; WorkDrive takes its tokens)`,
      `  Zoho B CRM    http://${sim.SIM_HOST}:${sim.SIM_ZOHO_B_CRM_PORT}/crm/v8`,
      `  D-Tools SI    http://${sim.SIM_HOST}:${sim.SIM_DTOOLS_SI_PORT}/si`,
      `  WorkDrive sim http://${sim.SIM_HOST}:${sim.SIM_ZOHO_WORKDRIVE_PORT}/workdrive/api/v1`,
      `  Sim data      ${simState}   (kept across restarts; npm start -- --reset-simulators starts from the seed)`,
      generatedKey
        ? `  API key       ${secrets.apiKey}   (generated for development; set API_KEYS to choose your own)`
        : '  API key       from API_KEYS',
      '',
      `Try: curl -X POST -H "Authorization: Bearer <key>" ${apiUrl}/connections/hubspot-sim/check`,
      'Ctrl-C stops everything.',
    ].join('\n'),
  );
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    await shutdown(2);
  }
  console.error(`[start] ${(err as Error).message}`);
  await shutdown(1);
}
