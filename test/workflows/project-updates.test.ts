import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import { projectGuid } from '../../domain/project-guid.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { siPoll } from '../../workflows/index.js';
import { auth, testApp } from '../helpers/api.js';
import { dtoolsConnection, simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let app: FastifyInstance;
const jobId = uniqueId('co-notes');
type Deal = Record<string, unknown> & { id: string; Account_Name: unknown };

const dealRow = (id: string) => sims.zoho.store.records.get('Deals')!.get(id) as Record<string, unknown>;
const freeDeal = () =>
  ([...sims.zoho.store.records.get('Deals')!.values()] as unknown as Deal[]).find(
    (d) => d.Account_Name !== null && d.SI_Project_ID === null,
  )!;
const zohoWrites = async () =>
  ((await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { writeCalls: number }).writeCalls;
const notesOf = async (dealId: string) =>
  (
    (await (await fetch(`${sims.urls.zohoCrm}/__admin/records/Deals/${dealId}/notes`)).json()) as {
      notes: Array<{ Note_Title: string }>;
    }
  ).notes;
const si = async (path: string, method: string, body?: unknown) => {
  const res = await fetch(`${sims.urls.dtoolsSi}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.ok, `${method} ${path}: ${res.status}`).toBe(true);
  return res.json() as Promise<Record<string, unknown>>;
};

const fault = async (simUrl: string, rule: Record<string, unknown>) => {
  const res = await fetch(`${simUrl}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(res.ok, `fault ${JSON.stringify(rule)}: ${res.status}`).toBe(true);
};

async function ended(path: string) {
  return vi.waitFor(
    async () => {
      const view = (await app.inject({ url: path, headers: auth })).json();
      expect(['done', 'failed']).toContain(view.status);
      return view as { status: string; error: string | null; result: Record<string, number> };
    },
    { timeout: 30_000, interval: 100 },
  );
}

/** A deal published to SI through the API, imported; returns its deal id and project GUID. */
async function linkedDeal(): Promise<{ dealId: string; projectId: string }> {
  const deal = freeDeal();
  const res = await app.inject({ method: 'POST', url: '/si-requests', headers: auth, payload: { dealId: deal.id } });
  expect((await ended(`/si-requests/${res.json().id}`)).status).toBe('done');
  return { dealId: deal.id, projectId: projectGuid(jobId, deal.id) };
}

async function crmUpdate(projectIds: string[], opts: { dryRun?: boolean } = {}) {
  const res = await app.inject({
    method: 'POST',
    url: `/crm-updates${opts.dryRun ? '?dryRun=true' : ''}`,
    headers: auth,
    payload: { type: 'Update', projectIds },
  });
  expect(res.statusCode).toBe(202);
  return ended(`/crm-updates/${res.json().id}`);
}

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 0, SIM_SCALE_DEALS: 14 });
  const crm = zohoConnection(sims);
  const siConn = dtoolsConnection(sims);
  await new ConnectionsRepository(db.orm.em.fork()).apply(
    [crm, siConn],
    [
      {
        id: jobId,
        kind: 'deal-to-project',
        crm: crm.id,
        si: siConn.id,
        toProject: { name: 'Deal_Name', client: 'Account_Name.name' },
        toDeal: {
          SI_Project_ID: 'id',
          SI_Project_Number: 'number',
          SI_Status: 'state',
          SI_Progress: 'progress',
          Amount: 'price',
          SI_Last_Sync: 'syncedAt',
        },
        importTimeoutMinutes: 60,
      },
    ],
  );
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
  app = await testApp(db, temporal);
});
afterAll(async () => {
  await app?.close();
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

describe('SI projects → deals (projectUpdatesToCrm)', () => {
  it(
    'three change orders and a new price reach the deal as fields and three notes; ten more runs write nothing',
    { timeout: 120_000 },
    async () => {
      const { dealId, projectId } = await linkedDeal();
      await si(`/__admin/projects/${projectId}`, 'PATCH', { fields: { price: 21_500, progress: 'In Progress' } });
      for (const [name, price] of [
        ['Extra speakers', 1200],
        ['Rack upgrade', 800],
        ['Outdoor audio', 2300],
      ] as const) {
        await si(`/__admin/projects/${projectId}/change-orders`, 'POST', { coName: name, coStatus: 'Approved', price });
      }
      const first = await crmUpdate([projectId]);
      expect(first).toMatchObject({
        status: 'done',
        result: expect.objectContaining({ projects: 1, notesAdded: 3, errors: 0, dealsWritten: 1 }),
      });
      expect(dealRow(dealId)).toMatchObject({ Amount: 21_500, SI_Progress: 'In Progress' });
      const titles = (await notesOf(dealId))
        .map((n) => n.Note_Title)
        .filter((t) => t.includes('[SI '))
        .sort();
      expect(titles).toEqual([
        `Change order 1: Extra speakers [SI ${projectId.slice(0, 8)} CO 1]`,
        `Change order 2: Rack upgrade [SI ${projectId.slice(0, 8)} CO 2]`,
        `Change order 3: Outdoor audio [SI ${projectId.slice(0, 8)} CO 3]`,
      ]);
      const writes = await zohoWrites();
      for (let i = 0; i < 10; i++) {
        expect((await crmUpdate([projectId])).result).toMatchObject({ notesAdded: 0, dealsWritten: 0, errors: 0 });
      }
      expect((await notesOf(dealId)).filter((n) => n.Note_Title.includes('[SI '))).toHaveLength(3);
      expect(await zohoWrites()).toBe(writes);
    },
  );

  it('a note whose create answer was lost after Zoho applied it is found by its marker, not created twice', async () => {
    const { dealId, projectId } = await linkedDeal();
    await si(`/__admin/projects/${projectId}/change-orders`, 'POST', {
      coName: 'Lost answer',
      coStatus: 'Approved',
      price: 99,
    });
    await fetch(`${sims.urls.zohoCrm}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'drop-after',
        method: 'POST',
        pathPrefix: `/crm/v8/Deals/${dealId}/Notes`,
        times: 1,
      }),
    });
    const view = await crmUpdate([projectId]);
    expect(view.error).toBeNull();
    expect(view).toMatchObject({
      status: 'done',
      result: expect.objectContaining({ notesAdded: 0, notesFound: 1, errors: 0 }),
    });
    expect((await notesOf(dealId)).filter((n) => n.Note_Title.includes('Lost answer'))).toHaveLength(1);
  });

  it('429s and 5xx from both sides and an expired Zoho token end in the same state as a clean run', async () => {
    const { dealId, projectId } = await linkedDeal();
    await si(`/__admin/projects/${projectId}`, 'PATCH', { fields: { price: 7_700 } });
    for (const name of ['Faulty one', 'Faulty two'])
      await si(`/__admin/projects/${projectId}/change-orders`, 'POST', {
        coName: name,
        coStatus: 'Approved',
        price: 1,
      });
    await fault(sims.urls.dtoolsSi, {
      kind: 'status',
      status: 429,
      retryAfterSec: 1,
      times: 2,
      pathPrefix: '/si/Subscribe/',
    });
    await fault(sims.urls.dtoolsSi, { kind: 'status', status: 503, times: 1, pathPrefix: '/si/Subscribe/' });
    await fault(sims.urls.zohoCrm, {
      kind: 'status',
      status: 429,
      times: 2,
      method: 'POST',
      pathPrefix: '/crm/v8/Deals/',
    });
    await fault(sims.urls.zohoCrm, {
      kind: 'status',
      status: 500,
      times: 2,
      method: 'PUT',
      pathPrefix: '/crm/v8/Deals',
    });
    await fetch(`${sims.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' });
    const view = await crmUpdate([projectId]);
    expect(view).toMatchObject({
      status: 'done',
      error: null,
      result: expect.objectContaining({ projects: 1, notesAdded: 2, errors: 0, dealsWritten: 1 }),
    });
    expect(dealRow(dealId)).toMatchObject({ Amount: 7_700 });
    expect((await notesOf(dealId)).filter((n) => n.Note_Title.includes('Faulty'))).toHaveLength(2);
    for (const url of [sims.urls.dtoolsSi, sims.urls.zohoCrm])
      expect(((await (await fetch(`${url}/__admin/faults`)).json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it('the poll picks up an SI-side edit without any API call, and acknowledges it', async () => {
    const { dealId, projectId } = await linkedDeal();
    await si(`/__admin/projects/${projectId}`, 'PATCH', { fields: { progress: 'Complete' } });
    const handle = await temporal.client.workflow.start(siPoll, {
      taskQueue: temporal.settings.taskQueue,
      workflowId: uniqueId('si-poll'),
    });
    expect((await handle.result()).started).toContain(jobId);
    await vi.waitFor(() => expect(dealRow(dealId).SI_Progress).toBe('Complete'), { timeout: 30_000, interval: 100 });
    // Acknowledged: SI no longer hands the edit out.
    await vi.waitFor(
      async () => {
        const res = await fetch(`${sims.urls.dtoolsSi}/si/Subscribe/Projects?pageSize=100`, {
          headers: { 'x-dtsi-apikey': simSecrets.DTOOLS_SIM_API_KEY! },
        });
        const { projects } = (await res.json()) as { projects: Array<{ id: string }> };
        expect(projects.map((p) => p.id)).not.toContain(projectId);
      },
      { timeout: 30_000, interval: 100 },
    );
  });

  it('a project linked to no deal is an item error in sync_events; the other projects go on', async () => {
    const { dealId, projectId } = await linkedDeal();
    await si(`/__admin/projects/${projectId}`, 'PATCH', { fields: { progress: 'On Hold' } });
    const orphanId = (
      (await si('/__admin/projects', 'POST', { name: 'Made in SI', client: 'Walk-in' })) as { id: string }
    ).id;
    await si(`/__admin/projects/${orphanId}`, 'PATCH', { fields: { progress: 'Open' } });
    const view = await crmUpdate([orphanId, projectId]);
    expect(view).toMatchObject({ status: 'done', result: expect.objectContaining({ projects: 2, errors: 1 }) });
    expect(dealRow(dealId).SI_Progress).toBe('On Hold');
    const run = await new SyncRunsRepository(db.orm.em.fork()).findLatestByWorkflowId(`project-updates:${jobId}`);
    const events = await new SyncRunsRepository(db.orm.em.fork()).events(run!.runId);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 'error', code: 'NO_LINKED_DEAL', details: { projectId: orphanId } }),
      ]),
    );
  });

  it('a dry run plans field changes and notes and writes nothing to Zoho or the ledger', async () => {
    const { dealId, projectId } = await linkedDeal();
    await si(`/__admin/projects/${projectId}`, 'PATCH', { fields: { progress: 'Dry' } });
    await si(`/__admin/projects/${projectId}/change-orders`, 'POST', {
      coName: 'Planned only',
      coStatus: 'Pending',
      price: 5,
    });
    const writes = await zohoWrites();
    const view = await crmUpdate([projectId], { dryRun: true });
    expect(view.status).toBe('done');
    expect(await zohoWrites()).toBe(writes);
    expect(dealRow(dealId).SI_Progress).not.toBe('Dry');
    expect((await notesOf(dealId)).filter((n) => n.Note_Title.includes('[SI '))).toHaveLength(0);
  });

  it('refuses a request with no project ids or another type, storing nothing', async () => {
    for (const payload of [
      { type: 'Update' },
      { type: 'Delete', projectIds: ['x'] },
      { type: 'Update', projectIds: ['../etc'] },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/crm-updates', headers: auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
  });

  it('a request that has ended can be read under both paths, edited and deleted; a missing one is a 404', async () => {
    const { projectId } = await linkedDeal();
    // Never published by an SI user, so SI serves no view of it: that project's error, and the request still ends.
    const view = await crmUpdate([projectId]);
    expect(view).toMatchObject({ status: 'done', result: expect.objectContaining({ projects: 1, errors: 1 }) });
    const id = (view as unknown as { id: number }).id;
    const alias = await app.inject({ url: `/api/crm/${id}/`, headers: auth });
    expect(alias.statusCode).toBe(200);
    expect(alias.json()).toMatchObject({ id, status: 'done', projectIds: [projectId] });
    const edited = await app.inject({
      method: 'PUT',
      url: `/crm-updates/${id}`,
      headers: auth,
      payload: { projectIds: ['p-1'], payload: { note: 'edited' } },
    });
    expect(edited.statusCode).toBe(200);
    expect(edited.json()).toMatchObject({ projectIds: ['p-1'], payload: { note: 'edited' } });
    expect((await app.inject({ method: 'DELETE', url: `/api/crm/${id}/`, headers: auth })).statusCode).toBe(204);
    expect((await app.inject({ url: `/crm-updates/${id}`, headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: `/crm-updates/${id}/replay`, headers: auth })).statusCode).toBe(
      404,
    );
  });
});
