import { ensureDatabase } from './create-database.js';
import { initOrm } from './mikro-orm.config.js';

/** Writes a migration for the difference between the entities and the database (after applying pending ones). */
const url = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_sync_migrations';
await ensureDatabase(url);
const orm = await initOrm(url, { poolMax: 2 });
try {
  await orm.migrator.up();
  const result = await orm.migrator.create(undefined, false, (await orm.migrator.getExecuted()).length === 0);
  console.log(result.fileName ? `wrote ${result.fileName}` : 'no schema changes');
} finally {
  await orm.close();
}
