import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DealToProjectJobSchema } from '../../config/jobs.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { projectGuid } from '../../domain/project-guid.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { runCli } from '../helpers/cli.js';
import { dtoolsConnection, simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let env: Record<string, string>;
const jobId = uniqueId('cli-si');
type Deal = { id: string; Account_Name: unknown; SI_Project_ID: unknown };
const deal = (withAccount: boolean) =>
  ([...sims.zoho.store.records.get('Deals')!.values()] as unknown as Deal[]).find(
    (d) => (d.Account_Name !== null) === withAccount && d.SI_Project_ID === null,
  )!;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 0, SIM_DTOOLS_SI_PROJECTS: 2 });
  const crm = zohoConnection(sims);
  const si = dtoolsConnection(sims);
  await new ConnectionsRepository(db.orm.em.fork()).apply(
    [crm, si],
    [DealToProjectJobSchema.parse({ id: jobId, kind: 'deal-to-project', crm: crm.id, si: si.id })],
  );
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: temporal.settings.taskQueue,
  };
});
afterAll(async () => {
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

describe('crm-sync si', () => {
  it(
    'push sends a deal to SI and waits until it is imported; replay changes nothing; requests lists them',
    { timeout: 90_000 },
    async () => {
      const d = deal(true);
      const pushed = await runCli(['si', 'push', '--deal', d.id], env);
      expect(pushed.code, pushed.stderr).toBe(0);
      expect(pushed.stdout).toMatch(new RegExp(`\\d+\\s+done\\s+publish\\s+${projectGuid(jobId, d.id)}`));
      const listed = await runCli(['si', 'requests', '--deal', d.id], env);
      expect(listed.code).toBe(0);
      const id = /^(\d+)\s+/m.exec(listed.stdout.split('\n').slice(1).join('\n'))![1]!;
      const replayed = await runCli(['si', 'replay', id], env);
      expect(replayed.code, replayed.stderr).toBe(0);
      expect(replayed.stdout).toMatch(/done\s+unchanged/);
    },
  );

  it('a deal SI cannot take exits 1 naming the field; bad usage exits 2', { timeout: 60_000 }, async () => {
    const failed = await runCli(['si', 'push', '--deal', deal(false).id], env);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('Account_Name.name');
    const usage = await runCli(['si', 'push'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('Usage: crm-sync');
  });

  it(
    'pull without projects reads what SI users published and reports projects linked to no deal (exit 1)',
    { timeout: 60_000 },
    async () => {
      // The seed's two projects were made in SI, not published from a deal.
      const pulled = await runCli(['si', 'pull'], env);
      expect(pulled.code, pulled.stderr).toBe(1);
      expect(pulled.stdout).toMatch(/\d+\s+done\s+2\s+0\s+0\s+2/);
    },
  );
});
