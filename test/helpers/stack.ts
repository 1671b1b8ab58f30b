import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { ContentStore } from '../../storage/content-store.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { hubspotConnection, simSecrets, zohoConnection } from './connections.js';
import { pgTokenStore } from './connectors.js';
import { createTestDb, type TestDb } from './db.js';
import { startTestSimulators } from './simulators.js';
import { startTestTemporal, type TestTemporal } from './temporal.js';

export interface TestStack {
  db: TestDb;
  sims: RunningSimulators;
  temporal: TestTemporal;
  content: ContentStore;
  hubspotId: string;
  zohoId: string;
  close(): Promise<void>;
}

/** A test file's own database, simulators, a HubSpot and a Zoho connection, and real workers polling them. */
export async function startTestStack(simOverrides: Parameters<typeof startTestSimulators>[0] = {}): Promise<TestStack> {
  const db = await createTestDb();
  const sims = await startTestSimulators(simOverrides);
  const hs = hubspotConnection(sims);
  const zo = zohoConnection(sims);
  await new ConnectionsRepository(db.orm.em.fork()).apply([hs, zo]);
  const content = new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-content-')));
  const temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
    content,
  });
  return {
    db,
    sims,
    temporal,
    content,
    hubspotId: hs.id,
    zohoId: zo.id,
    close: async () => {
      await temporal.close();
      await sims.close();
      await db.close();
    },
  };
}
