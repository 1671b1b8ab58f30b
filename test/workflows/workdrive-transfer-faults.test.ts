import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JobConfig } from '../../config/jobs.js';
import { WorkdriveTransfer } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { TRANSFER_MAX_BYTES } from '../../simulators/zoho/crm-seed-transfer.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import type { TransferCounts } from '../../workflows/workdrive-transfer-definitions.js';
import { workdriveTransfer } from '../../workflows/index.js';
import { simSecrets } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';
import { expectSeedTransferred, transferContacts, transferJob, wdNodes } from '../helpers/transfer.js';

let db: TestDb;
let temporal: TestTemporal;
let sims: RunningSimulators | undefined;
const jobs: JobConfig[] = [];

/** Fresh simulators (the default seed) and a job of its own on them, picked up by the running workers. */
async function setup(simEnv: Record<string, string | number> = {}) {
  sims = await startTestSimulators(simEnv);
  const { connections, job } = transferJob(sims);
  jobs.push(job);
  await new ConnectionsRepository(db.orm.em.fork()).apply(connections, jobs);
  await temporal.workers.syncConnectionWorkers();
  const run = (opts: { dryRun?: boolean } = {}) =>
    temporal.client.workflow.execute(workdriveTransfer, {
      taskQueue: temporal.settings.taskQueue,
      workflowId: `workdrive-transfer:${job.id}${opts.dryRun ? ':dry-run' : ''}`,
      args: [{ jobId: job.id, ...opts }],
    }) as Promise<TransferCounts>;
  return { sims, job, run, seeded: new Set((await wdNodes(sims)).map((n) => n.id)) };
}

async function fault(baseUrl: string, rule: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${baseUrl}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(res.ok, `fault ${JSON.stringify(rule)}: HTTP ${res.status}`).toBe(true);
}
/** Rules still waiting to be served: a rule with `times` leaves the list once it has been served that often. */
async function faultsLeft(baseUrl: string): Promise<Array<{ kind: string; hits: number; remaining?: number }>> {
  return ((await (await fetch(`${baseUrl}/__admin/faults`)).json()) as { rules: never[] }).rules;
}

beforeAll(async () => {
  db = await createTestDb();
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
});
afterEach(async () => {
  await sims?.close();
  sims = undefined;
});
afterAll(async () => {
  await temporal?.close();
  await db?.close();
});

describe('WorkDrive transfer under faults', () => {
  it('429 bursts, 5xx and expired tokens in both orgs end as a clean run does', { timeout: 180_000 }, async () => {
    const { sims, run, seeded } = await setup();
    // A dry run first, so every connection holds a token that the expiry below invalidates mid-way.
    await run({ dryRun: true });
    const { zohoCrm, zohoBCrm, workdrive, zohoAccounts, zohoBAccounts } = sims.urls;
    await fault(zohoCrm, {
      kind: 'status',
      status: 429,
      retryAfterSec: 1,
      method: 'GET',
      pathPrefix: '/crm/v8/Contacts',
      times: 3,
    });
    await fault(zohoCrm, { kind: 'status', status: 500, method: 'PUT', pathPrefix: '/crm/v8/Contacts', times: 2 });
    await fault(zohoBCrm, { kind: 'status', status: 429, retryAfterSec: 1, pathPrefix: '/crm/v8/Contacts', times: 3 });
    await fault(zohoBCrm, { kind: 'status', status: 503, method: 'PUT', pathPrefix: '/crm/v8/Contacts', times: 2 });
    await fault(workdrive, {
      kind: 'status',
      status: 429,
      retryAfterSec: 1,
      method: 'POST',
      pathPrefix: '/workdrive/api/v1/upload',
      times: 3,
    });
    await fault(workdrive, { kind: 'status', status: 502, method: 'GET', pathPrefix: '/workdrive/api/v1/', times: 3 });
    for (const accounts of [zohoAccounts, zohoBAccounts])
      expect((await fetch(`${accounts}/__admin/expire-tokens`, { method: 'POST' })).ok).toBe(true);

    const counts = await run();
    expect(counts).toMatchObject({ records: 20, done: 19, skipped: 1, failed: 0, partial: 0, filesFailed: 0 });
    expect(counts.filesUploaded + counts.filesRenamed).toBe(38);
    await expectSeedTransferred(sims, seeded);
    // Every injected fault was served.
    for (const url of [zohoCrm, zohoBCrm, workdrive]) expect(await faultsLeft(url), url).toEqual([]);
  });

  it(
    'an upload whose answer is lost after WorkDrive stored the file is found, not uploaded again',
    { timeout: 120_000 },
    async () => {
      const { sims, run, seeded, job } = await setup();
      await fault(sims.urls.workdrive, {
        kind: 'drop-after',
        method: 'POST',
        pathPrefix: '/workdrive/api/v1/upload',
        times: 2,
      });
      const counts = await run();
      expect(counts).toMatchObject({ records: 20, done: 19, filesFailed: 0 });
      expect(counts.filesUploaded + counts.filesRenamed).toBe(38);
      await expectSeedTransferred(sims, seeded);
      expect(await faultsLeft(sims.urls.workdrive)).toEqual([]); // both answers were dropped
      expect(await db.orm.em.fork().count(WorkdriveTransfer, { jobId: job.id, state: 'uploaded' })).toBe(38);
    },
  );

  it(
    'an attachment over the upload limit (413) fails with the reason; the others go up',
    { timeout: 120_000 },
    async () => {
      // The limit just below the seed's largest file (5 MB) stands in for WorkDrive's 250 MB.
      const { sims, run, seeded, job } = await setup({ SIM_ZOHO_WORKDRIVE_UPLOAD_LIMIT_BYTES: TRANSFER_MAX_BYTES - 1 });
      const tooBig = new Set(
        [...sims.zoho.store.attachments.values()].filter((a) => a.size > TRANSFER_MAX_BYTES - 1).map((a) => a.id),
      );
      expect(tooBig.size).toBeGreaterThanOrEqual(1);
      const counts = await run();
      expect(counts.filesFailed).toBe(tooBig.size);
      expect(counts.filesUploaded + counts.filesRenamed).toBe(38 - tooBig.size);
      expect(counts.failed + counts.partial).toBeGreaterThanOrEqual(1);
      await expectSeedTransferred(sims, seeded, tooBig);
      const failed = await db.orm.em.fork().find(WorkdriveTransfer, { jobId: job.id, state: 'failed' });
      expect(failed.map((f) => f.attachmentId).sort()).toEqual([...tooBig].sort());
      for (const f of failed) expect(f.error).toMatch(/413|limit|large/i);
      // A record with nothing else to upload stays unticked; one with other files is ticked.
      for (const c of transferContacts(sims)) {
        const own = sims.zoho.store.attachmentsOf('Contacts', c.id);
        if (own.some((a) => tooBig.has(a.id))) expect(c.Transfer_Complete).toBe(own.some((a) => !tooBig.has(a.id)));
      }
    },
  );
});
