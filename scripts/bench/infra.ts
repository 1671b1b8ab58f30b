import { Client, Connection } from '@temporalio/client';
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
