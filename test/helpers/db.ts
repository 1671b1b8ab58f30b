import type { MikroORM } from '@mikro-orm/postgresql';
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { dropDatabase } from '../../db/create-database.js';
import { migrate } from '../../db/migrate.js';
import { initOrm } from '../../db/mikro-orm.config.js';

export interface TestDb {
  orm: MikroORM;
  url: string;
  close(): Promise<void>;
}

/** A fresh database per test file, migrated with the committed migrations (so they are tested too). */
export async function createTestDb(): Promise<TestDb> {
  const url = new URL(inject('pgAdminUrl'));
  url.pathname = `/crm_sync_t_${process.pid}_${randomBytes(3).toString('hex')}`;
  await migrate(url.toString());
  const orm = await initOrm(url.toString(), { poolMax: 25 });
  return {
    orm,
    url: url.toString(),
    close: async () => {
      await orm.close();
      await dropDatabase(url.toString());
    },
  };
}
