import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { simulatorDefaults } from '../../simulators/config.js';
import { startSimulators, type RunningSimulators } from '../../simulators/index.js';
import { ContentStore } from '../../storage/content-store.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { testApp } from '../helpers/api.js';
import { simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { leadHelpers } from '../helpers/leads.js';
import type { TestStack } from '../helpers/stack.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

/** The stack's parts as `npm start` runs them: simulators keeping state in a directory, our DB, workers, the API. */
interface Parts {
  sims: RunningSimulators;
  temporal: TestTemporal;
  app: FastifyInstance;
  h: ReturnType<typeof leadHelpers>;
}

const stateDir = mkdtempSync(join(tmpdir(), 'crm-sync-sim-state-'));
const content = new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-content-')));
const zohoId = uniqueId('zoho');
let db: TestDb;
let parts: Parts | undefined;

async function start(ports?: RunningSimulators['urls']): Promise<Parts> {
  const port = (url?: string) => (url ? Number(new URL(url).port) : 0);
  const sims = await startSimulators(
    simulatorDefaults({
      SIM_HUBSPOT_PORT: port(ports?.hubspot),
      SIM_ZOHO_ACCOUNTS_PORT: port(ports?.zohoAccounts),
      SIM_ZOHO_CRM_PORT: port(ports?.zohoCrm),
      SIM_DTOOLS_SI_PORT: port(ports?.dtoolsSi),
      SIM_ZOHO_WORKDRIVE_PORT: port(ports?.workdrive),
      SIM_ZOHO_B_ACCOUNTS_PORT: port(ports?.zohoBAccounts),
      SIM_ZOHO_B_CRM_PORT: port(ports?.zohoBCrm),
    }),
    { stateDir },
  );
  await new ConnectionsRepository(db.orm.em.fork()).apply([zohoConnection(sims, { id: zohoId })]);
  const temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
    content,
  });
  const app = await testApp(db, temporal, content);
  const stack = {
    db,
    sims,
    temporal,
    content,
    zohoId,
    hubspotId: '',
    close: async () => undefined,
  } satisfies TestStack;
  return { sims, temporal, app, h: leadHelpers(app, stack) };
}

async function stop(p: Parts): Promise<void> {
  await p.app.close();
  await p.temporal.close();
  await p.sims.close();
}

afterAll(async () => {
  if (parts) await stop(parts);
  await db?.close();
  rmSync(stateDir, { recursive: true, force: true });
});

async function createLeads(p: Parts, tag: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) {
    const res = await p.h.call('POST', '/leads', {
      lastName: `Restart ${tag} ${i}`,
      email: `restart.${tag}.${i}@example.com`,
      company: 'Initech',
    });
    expect(res.status).toBe(201);
    ids.push(res.body.id);
  }
  return ids;
}

describe('a second start of the stack', () => {
  // Two starts of the stack and 220 leads pushed: longer than the default test timeout on a loaded 2-core machine.
  it(
    'keeps syncing: leads created after a restart all reach Zoho once each, and none collides with an earlier one',
    { timeout: 240_000 },
    async () => {
      db = await createTestDb();
      parts = await start();
      await parts.h.pull();
      const first = await createLeads(parts, 'before', 20);
      await parts.h.pushed(60_000);
      const urls = parts.sims.urls;
      await stop(parts);
      parts = undefined;

      parts = await start(urls);
      expect(parts.sims.state.loaded.map((l) => l.name)).toContain('zoho-crm');
      const second = await createLeads(parts, 'after', 200);
      await parts.h.pushed(180_000);

      const leads = await Promise.all([...first, ...second].map((id) => parts!.h.lead(id)));
      expect(leads.filter((l) => l.syncState !== 'synced')).toEqual([]);
      expect(new Set(leads.map((l) => l.zohoId)).size).toBe(220);
      const zoho = await parts.h.zohoLeads();
      for (const l of leads) expect(zoho.filter((z) => String(z.Email).toLowerCase() === l.email)).toHaveLength(1);
      // The pull after the restart changes nothing and fails nothing: both sides agree.
      const counts = await parts.h.pull({ full: true });
      expect(counts).toMatchObject({ errors: 0, created: 0 });
    },
  );
});
