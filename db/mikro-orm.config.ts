import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM } from '@mikro-orm/postgresql';
import { fileURLToPath } from 'node:url';
import { entities } from './entities/index.js';

const migrationsPath = fileURLToPath(new URL('./migrations', import.meta.url));

export function ormConfig(clientUrl: string, opts: { debug?: boolean; poolMax?: number } = {}) {
  return defineConfig({
    clientUrl,
    entities,
    extensions: [Migrator],
    migrations: {
      path: migrationsPath,
      pathTs: migrationsPath,
      snapshot: false,
      transactional: true,
      allOrNothing: true,
      silent: true,
    },
    debug: opts.debug ?? false,
    pool: { min: 0, max: opts.poolMax ?? 10 },
  });
}

export function initOrm(clientUrl: string, opts?: { poolMax?: number }): Promise<MikroORM> {
  return MikroORM.init(ormConfig(clientUrl, opts));
}

export default ormConfig(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/crm_sync');
