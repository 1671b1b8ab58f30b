import { Client, Connection } from '@temporalio/client';
import { ConfigError, type Env, exitOnConfigError, loadDotEnv, parseEnv } from '../config/env.js';
import { resolve } from 'node:path';
import { initOrm } from '../db/mikro-orm.config.js';
import { ContentStore } from '../storage/content-store.js';
import { stopWhenSupervisorExits } from '../scripts/supervision.js';
import { buildApp } from './app.js';

/** Listens and closes gracefully; everything else is in buildApp. */
loadDotEnv();
let env: Env;
try {
  env = parseEnv();
  if (env.API_KEYS.length === 0)
    throw new ConfigError([
      'API_KEYS: set at least one API key (comma-separated); `npm start` generates one for development',
    ]);
} catch (err) {
  exitOnConfigError(err);
}
const orm = await initOrm(env.DATABASE_URL);
const connection = await Connection.connect({ address: env.TEMPORAL_ADDRESS });
const client = new Client({ connection, namespace: env.TEMPORAL_NAMESPACE });
const app = await buildApp({
  orm,
  apiKeys: env.API_KEYS,
  logger: { level: env.LOG_LEVEL },
  content: new ContentStore(resolve(env.DATA_DIR, 'content')),
  temporal: {
    client,
    namespace: env.TEMPORAL_NAMESPACE,
    taskQueue: env.TEMPORAL_TASK_QUEUE,
    uiUrl: env.TEMPORAL_UI_URL,
  },
});
await app.listen({ host: env.HOST, port: env.PORT });

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await app.close();
  await connection.close();
  await orm.close();
  process.exit(0);
};
process.on('SIGINT', () => void close());
process.on('SIGTERM', () => void close());
stopWhenSupervisorExits(() => void close());
