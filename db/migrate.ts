import { EnvSchema, exitOnConfigError, loadDotEnv, parseWith } from '../config/env.js';
import { ensureDatabase } from './create-database.js';
import { initOrm } from './mikro-orm.config.js';

/** Creates the database if missing and applies committed migrations. */
export async function migrate(databaseUrl: string): Promise<string[]> {
  await ensureDatabase(databaseUrl);
  const orm = await initOrm(databaseUrl, { poolMax: 2 });
  try {
    const done = await orm.migrator.up();
    return done.map((m) => m.name);
  } finally {
    await orm.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  loadDotEnv();
  let url: string;
  try {
    url = parseWith(EnvSchema.pick({ DATABASE_URL: true })).DATABASE_URL;
  } catch (err) {
    exitOnConfigError(err);
  }
  const applied = await migrate(url);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
}
