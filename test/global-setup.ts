import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { resolvePostgres } from '../scripts/postgres.js';
import { findOrBuildTemporal, freePort, startDevServer } from '../scripts/temporal-server.js';

/**
 * Once per test run: a fresh Temporal dev server on free ports (in memory) and a Postgres server. Each test file
 * then creates its own database and task queues. A missing server is an error, never a reason to skip.
 */
export default async function setup(project: TestProject) {
  const dataDir = mkdtempSync(join(tmpdir(), 'crm-sync-test-'));
  const pg = await resolvePostgres({
    databaseUrl: process.env.TEST_DATABASE_URL,
    database: 'postgres',
    dataDir,
    embeddedPort: await freePort(),
    persistent: false,
    log: (m) => console.log(`[test setup] ${m}`),
  });
  const binary = findOrBuildTemporal((m) => console.log(`[test setup] ${m}`));
  const temporal = await startDevServer({ binary, port: await freePort() });
  project.provide('pgAdminUrl', pg.url);
  project.provide('temporalAddress', temporal.address);
  return async () => {
    await temporal.stop();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    temporalAddress: string;
  }
}
