import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { DealToProjectJobSchema } from '../../config/jobs.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { ProjectLinksRepository } from '../../db/repositories/project-links.repository.js';
import { projectGuid } from '../../domain/project-guid.js';
import { DealProjectsService } from '../../services/deal-projects.service.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { dtoolsConnection, simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { spawnWorker } from '../helpers/worker-process.js';

let db: TestDb;
let sims: RunningSimulators;
let connection: Connection;
let service: DealProjectsService;
let env: Record<string, string>;
const jobId = uniqueId('kill-si');
const workers: Array<ReturnType<typeof spawnWorker>> = [];
type Deal = { id: string; Account_Name: unknown; SI_Project_ID: unknown };

const freeDeal = () =>
  ([...sims.zoho.store.records.get('Deals')!.values()] as unknown as Deal[]).find(
    (d) => d.Account_Name !== null && d.SI_Project_ID === null,
  )!;
const publishCount = async (guid: string) =>
  ((await (await fetch(`${sims.urls.dtoolsSi}/__admin/publish-counts`)).json()) as { counts: Record<string, number> })
    .counts[guid] ?? 0;
const importNow = async (guid: string) =>
  expect(
    (
      await fetch(`${sims.urls.dtoolsSi}/__admin/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ projectId: guid }),
      })
    ).ok,
  ).toBe(true);
const linkOf = (dealId: string) => new ProjectLinksRepository(db.orm.em.fork()).get(jobId, dealId);
const fault = async (rule: Record<string, unknown>) =>
  expect(
    (
      await fetch(`${sims.urls.dtoolsSi}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      })
    ).ok,
  ).toBe(true);
/** The request ends done, SI received one publish of the project, and the deal carries it. */
const expectOneProjectLinked = async (requestId: number, dealId: string, guid: string) => {
  expect(await ended(requestId)).toMatchObject({ status: 'done', error: null });
  expect(await publishCount(guid)).toBe(1);
  expect(sims.zoho.store.records.get('Deals')!.get(dealId)).toMatchObject({
    SI_Project_ID: guid,
    SI_Status: 'imported',
  });
};
const startWorker = async () => {
  const w = spawnWorker(env);
  workers.push(w);
  await w.ready;
  return w;
};
const ended = (id: number) =>
  vi.waitFor(
    async () => {
      const view = await service.get(id);
      expect(['done', 'failed']).toContain(view.status);
      return view;
    },
    { timeout: 90_000, interval: 200 },
  );

beforeAll(async () => {
  db = await createTestDb();
  // SI imports only when the test says so: the workflow waits on a durable timer meanwhile.
  sims = await startTestSimulators({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 3_600_000 });
  const crm = zohoConnection(sims);
  const si = dtoolsConnection(sims);
  await new ConnectionsRepository(db.orm.em.fork()).apply(
    [crm, si],
    [DealToProjectJobSchema.parse({ id: jobId, kind: 'deal-to-project', crm: crm.id, si: si.id })],
  );
  connection = await Connection.connect({ address: inject('temporalAddress') });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `kill-${randomBytes(4).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-sync-kill-si-')),
    ...simSecrets,
  };
  service = new DealProjectsService(
    {
      client: new Client({ connection }),
      namespace: 'default',
      taskQueue: env.TEMPORAL_TASK_QUEUE!,
      uiUrl: 'http://localhost:8233',
    },
    () => db.orm.em.fork(),
  );
});
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await connection?.close();
  await sims?.close();
  await db?.close();
});

describe('deal → project survives the worker', () => {
  it('a request committed while no worker runs is run once one comes back', { timeout: 120_000 }, async () => {
    const deal = freeDeal();
    const request = await service.create({ dealId: deal.id, payload: { dealId: deal.id }, source: 'api' });
    expect(request.status).toBe('received');
    const worker = await startWorker();
    const guid = projectGuid(jobId, deal.id);
    await vi.waitFor(async () => expect(await publishCount(guid)).toBe(1), { timeout: 60_000, interval: 200 });
    await importNow(guid);
    expect(await ended(request.id)).toMatchObject({ status: 'done', error: null });
    expect(sims.zoho.store.records.get('Deals')!.get(deal.id)).toMatchObject({
      SI_Project_ID: guid,
      SI_Status: 'imported',
    });
    worker.process.kill('SIGTERM');
    await worker.exited;
  });

  it(
    'a worker killed (SIGKILL) between publish and write-back leaves one project, and the deal is linked after a restart',
    { timeout: 120_000 },
    async () => {
      const deal = freeDeal();
      const first = await startWorker();
      const request = await service.create({ dealId: deal.id, payload: { dealId: deal.id }, source: 'api' });
      const guid = projectGuid(jobId, deal.id);
      // The publish activity has completed once the link holds SI's message id: the run is waiting on SI.
      await vi.waitFor(async () => expect((await linkOf(deal.id))?.messageId).toEqual(expect.any(String)), {
        timeout: 60_000,
        interval: 100,
      });
      first.process.kill('SIGKILL');
      await first.exited;
      expect((await service.get(request.id)).status).toBe('running');
      await importNow(guid);
      await startWorker();
      await expectOneProjectLinked(request.id, deal.id, guid);
    },
  );

  it(
    'a worker killed inside the publish, after SI queued it and before the answer, publishes once: the retry follows that message',
    { timeout: 120_000 },
    async () => {
      const deal = freeDeal();
      const first = await startWorker();
      await fault({ kind: 'latency-after', latencyMs: 30_000, method: 'POST', pathPrefix: '/si/Publish/', times: 1 });
      const request = await service.create({ dealId: deal.id, payload: { dealId: deal.id }, source: 'api' });
      const guid = projectGuid(jobId, deal.id);
      await vi.waitFor(async () => expect(await publishCount(guid)).toBe(1), { timeout: 60_000, interval: 100 });
      first.process.kill('SIGKILL');
      await first.exited;
      expect(await linkOf(deal.id)).toBeNull();
      // The SI user imports it before the retry: the message is no longer queued, and still found.
      await importNow(guid);
      await startWorker();
      await expectOneProjectLinked(request.id, deal.id, guid);
    },
  );
});
