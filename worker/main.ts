import { NativeConnection, Runtime } from '@temporalio/worker';
import { resolve } from 'node:path';
import { decodeKey, exitOnConfigError, loadDotEnv, parseEnv, type Env } from '../config/env.js';
import { initOrm } from '../db/mikro-orm.config.js';
import { PgTokenStore } from '../db/repositories/pg-token-store.js';
import { SecretBox } from '../db/secret-box.js';
import { ContentStore } from '../storage/content-store.js';
import { stopWhenSupervisorExits } from '../scripts/supervision.js';
import { bundleInChildProcess } from './bundle-workflows.js';
import { DbConnectorRegistry } from './connector-registry.js';
import { createWorkerLogger, PinoTemporalLogger } from './logger.js';
import { WorkerSet } from './workers.js';

/** config → ORM → connectors → activities → Workers; SIGINT/SIGTERM drain in-flight tasks and exit. */
loadDotEnv();
let env: Env;
try {
  env = parseEnv();
} catch (err) {
  exitOnConfigError(err);
}
const logger = createWorkerLogger(env.LOG_LEVEL);
// Start, ready and drain lines show at any level but silent: supervisors and tests wait for `ready on`.
const lifecycle = logger.child({ component: 'lifecycle' }, { level: env.LOG_LEVEL === 'silent' ? 'silent' : 'info' });
const log = (msg: string) => lifecycle.info(msg);
Runtime.install({ logger: new PinoTemporalLogger(logger) });
const orm = await initOrm(env.DATABASE_URL);
const connection = await NativeConnection.connect({ address: env.TEMPORAL_ADDRESS });
const workflowBundle = { codePath: await bundleInChildProcess() };
const registry = new DbConnectorRegistry(
  orm,
  new PgTokenStore(orm, new SecretBox(decodeKey(env.TOKEN_ENCRYPTION_KEY)!)),
);
const workers = new WorkerSet({
  connection,
  namespace: env.TEMPORAL_NAMESPACE,
  taskQueue: env.TEMPORAL_TASK_QUEUE,
  workflowBundle,
  orm,
  connectors: registry,
  content: new ContentStore(resolve(env.DATA_DIR, 'content')),
  refreshMs: 15_000,
  maxCachedWorkflows: env.WORKER_MAX_CACHED_WORKFLOWS,
  workflowThreads: env.WORKER_WORKFLOW_THREADS,
  log,
});
await workers.start();
log(`ready on ${env.TEMPORAL_ADDRESS}: ${workers.queues().join(', ')}`);

let stopping = false;
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: draining`);
  await workers.shutdown();
  await connection.close();
  await orm.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
stopWhenSupervisorExits((reason) => void stop(reason));
