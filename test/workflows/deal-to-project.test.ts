import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { DealToProjectJobSchema } from '../../config/jobs.js';
import { SiRequest } from '../../db/entities/index.js';
import { IntegrationRequestsRepository } from '../../db/repositories/integration-requests.repository.js';
import { requestSweep } from '../../workflows/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { projectGuid } from '../../domain/project-guid.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { API_KEY, auth, testApp } from '../helpers/api.js';
import { dtoolsConnection, simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let app: FastifyInstance;
const jobId = uniqueId('deal-si');
const WEBHOOK_TOKEN = 'whk-0123456789abcdef';
const wrongSiId = uniqueId('si-wrong');
const wrongJobId = uniqueId('deal-si-wrong');
type Deal = Record<string, unknown> & { id: string; Account_Name: { id: string } | null };

const deals = () => [...sims.zoho.store.records.get('Deals')!.values()] as unknown as Deal[];
const dealWith = (account: boolean) =>
  deals().find((d) => (d.Account_Name !== null) === account && d.SI_Project_ID === null)!;
const zohoStats = async () =>
  (await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { writeCalls: number };
const publishCounts = async () =>
  ((await (await fetch(`${sims.urls.dtoolsSi}/__admin/publish-counts`)).json()) as { counts: Record<string, number> })
    .counts;
const siProjects = async () =>
  (
    (await (await fetch(`${sims.urls.dtoolsSi}/__admin/projects`)).json()) as {
      projects: Array<{ id: string; number: string | null }>;
    }
  ).projects;
const fault = async (rule: Record<string, unknown>, sim: 'dtoolsSi' | 'zohoCrm' = 'dtoolsSi') => {
  const res = await fetch(`${sims.urls[sim]}/__admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(rule),
  });
  expect(res.ok, `fault ${JSON.stringify(rule)}: HTTP ${res.status}`).toBe(true);
};

async function post(body: Record<string, unknown>, opts: { form?: boolean; token?: string; path?: string } = {}) {
  const payload = opts.form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body);
  return app.inject({
    method: 'POST',
    // A webhook token names its job; with the API key, the job is named (two jobs exist here).
    url: `${opts.path ?? '/si-requests'}${opts.token ? `?token=${opts.token}` : `?jobId=${jobId}`}`,
    payload,
    headers: {
      ...(opts.token ? {} : auth),
      'content-type': opts.form ? 'application/x-www-form-urlencoded' : 'application/json',
    },
  });
}

async function ended(id: number) {
  return vi.waitFor(
    async () => {
      const view = (await app.inject({ url: `/si-requests/${id}`, headers: auth })).json();
      expect(['done', 'failed']).toContain(view.status);
      return view as {
        status: string;
        error: string | null;
        result: Record<string, unknown>;
        source: string;
        workflowId: string;
      };
    },
    { timeout: 30_000, interval: 100 },
  );
}

beforeAll(async () => {
  process.env.SI_WEBHOOK_TOKEN = WEBHOOK_TOKEN;
  db = await createTestDb();
  sims = await startTestSimulators({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 0, SIM_SCALE_DEALS: 12 });
  const crm = zohoConnection(sims);
  const si = dtoolsConnection(sims);
  const wrongSi = dtoolsConnection(sims, { id: wrongSiId, keyEnv: 'WRONG_DTOOLS_API_KEY' });
  await new ConnectionsRepository(db.orm.em.fork()).apply(
    [crm, si, wrongSi],
    [
      DealToProjectJobSchema.parse({ id: wrongJobId, kind: 'deal-to-project', crm: crm.id, si: wrongSi.id }),
      {
        id: jobId,
        kind: 'deal-to-project',
        crm: crm.id,
        si: si.id,
        toProject: {
          name: 'Deal_Name',
          client: 'Account_Name.name',
          budget: 'Amount',
          closeDate: 'Closing_Date',
          salesRep: 'Owner.name',
        },
        toDeal: { SI_Project_ID: 'id', SI_Project_Number: 'number', SI_Status: 'state', SI_Last_Sync: 'syncedAt' },
        importTimeoutMinutes: 60,
        webhookToken: { env: 'SI_WEBHOOK_TOKEN' },
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

describe('deal → project (dealToProject through /si-requests)', () => {
  it('a posted deal becomes exactly one SI project; once imported, the deal carries its id, number and state', async () => {
    const deal = dealWith(true);
    const res = await post({ dealId: deal.id });
    expect(res.statusCode).toBe(202);
    const accepted = res.json();
    expect(accepted).toMatchObject({
      id: expect.any(Number),
      statusUrl: `/si-requests/${accepted.id}`,
      workflowId: `deal-to-project:${jobId}:${deal.id}`,
    });
    const view = await ended(accepted.id);
    expect(view).toMatchObject({
      status: 'done',
      error: null,
      source: 'api',
      workflowId: `deal-to-project:${jobId}:${deal.id}`,
    });
    const guid = projectGuid(jobId, deal.id);
    expect((await publishCounts())[guid]).toBe(1);
    const project = (await siProjects()).find((p) => p.id === guid)!;
    expect(project.number).toMatch(/^P-\d+$/);
    const after = sims.zoho.store.records.get('Deals')!.get(deal.id) as Record<string, unknown>;
    expect(after).toMatchObject({ SI_Project_ID: guid, SI_Project_Number: project.number, SI_Status: 'imported' });
    expect(after.SI_Last_Sync).toEqual(expect.any(String));
  });

  it("a form-encoded post with the job's webhook token works without an API key; a wrong token is refused", async () => {
    const deal = dealWith(true);
    const res = await post(
      { id: deal.id, Deal_Name: String(deal.Deal_Name) },
      { form: true, token: WEBHOOK_TOKEN, path: '/api/si/' },
    );
    expect(res.statusCode).toBe(202);
    const view = await ended(res.json().id);
    expect(view).toMatchObject({ status: 'done', source: 'webhook' });
    expect((await post({ dealId: deal.id }, { form: true, token: 'whk-wrong-token-000' })).statusCode).toBe(401);
  });

  it('keeps webhook tokens and API keys out of the request log, in the query and in headers', async () => {
    const lines: string[] = [];
    const logged = await testApp(db, temporal, undefined, lines);
    try {
      const deal = dealWith(true);
      const viaQuery = await logged.inject({
        method: 'POST',
        url: `/api/si/?token=${WEBHOOK_TOKEN}&dryRun=false`,
        payload: { dealId: deal.id },
      });
      expect(viaQuery.statusCode).toBe(202);
      await ended(viaQuery.json().id);
      const viaHeader = await logged.inject({
        method: 'POST',
        url: '/si-requests',
        headers: { 'x-webhook-token': WEBHOOK_TOKEN },
        payload: { dealId: deal.id },
      });
      expect(viaHeader.statusCode).toBe(202);
      await ended(viaHeader.json().id);
      const wrong = await logged.inject({ method: 'POST', url: '/si-requests?token=whk-wrong-token-000', payload: {} });
      expect(wrong.statusCode).toBe(401);
      expect((await logged.inject({ url: '/si-requests', headers: auth })).statusCode).toBe(200);
    } finally {
      await logged.close();
    }
    const log = lines.join('');
    expect(log).toContain('/api/si/?token=[redacted]&dryRun=false');
    for (const secret of [WEBHOOK_TOKEN, 'whk-wrong-token-000', API_KEY]) expect(log).not.toContain(secret);
  });

  it('a deal without an account fails its request naming the field, and nothing reaches SI', async () => {
    const deal = dealWith(false);
    const view = await ended((await post({ dealId: deal.id })).json().id);
    expect(view.status).toBe('failed');
    expect(view.error).toContain('Account_Name.name');
    expect((await publishCounts())[projectGuid(jobId, deal.id)]).toBeUndefined();
  });

  it('a publish whose answer was lost after SI queued it is followed, not queued again', async () => {
    const deal = dealWith(true);
    await fault({ kind: 'drop-after', method: 'POST', pathPrefix: '/si/Publish/Projects', times: 1 });
    const view = await ended((await post({ dealId: deal.id })).json().id);
    expect(view.status).toBe('done');
    const guid = projectGuid(jobId, deal.id);
    expect((await publishCounts())[guid]).toBe(1);
    expect(sims.zoho.store.records.get('Deals')!.get(deal.id)).toMatchObject({ SI_Project_ID: guid });
    expect((await siProjects()).filter((p) => p.id === guid)).toHaveLength(1);
  });

  it('replaying a done request changes nothing on either side', async () => {
    const deal = dealWith(true);
    const first = await ended((await post({ dealId: deal.id })).json().id);
    expect(first.status).toBe('done');
    const id = (await app.inject({ url: `/si-requests?dealId=${deal.id}`, headers: auth })).json().items[0].id;
    const zohoBefore = (await zohoStats()).writeCalls;
    const publishesBefore = (await publishCounts())[projectGuid(jobId, deal.id)];
    const replay = await app.inject({ method: 'POST', url: `/si-requests/${id}/replay`, headers: auth });
    expect(replay.statusCode).toBe(202);
    const again = await ended(id);
    expect(again).toMatchObject({
      status: 'done',
      result: expect.objectContaining({ mode: 'unchanged', written: [] }),
    });
    expect((await zohoStats()).writeCalls).toBe(zohoBefore);
    expect((await publishCounts())[projectGuid(jobId, deal.id)]).toBe(publishesBefore);
  });

  it('answers bad input with a 4xx and a message, storing nothing', async () => {
    const before = (await app.inject({ url: '/si-requests?limit=200', headers: auth })).json().items.length;
    const missing = await post({ Deal_Name: 'no id' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('dealId');
    expect((await post({ dealId: '../../etc' })).statusCode).toBe(400);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/si-requests',
          headers: auth,
          payload: { dealId: '1' },
          query: { jobId: 'no-such-job' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await app.inject({ url: '/si-requests?limit=200', headers: auth })).json().items.length).toBe(before);
  });

  it('a failed request replayed after its cause is fixed completes', { timeout: 90_000 }, async () => {
    const deal = dealWith(false);
    const id = (await post({ dealId: deal.id })).json().id;
    expect((await ended(id)).status).toBe('failed');
    const account = deals().find((d) => d.Account_Name !== null)!.Account_Name;
    const patched = await fetch(`${sims.urls.zohoCrm}/__admin/records/Deals/${deal.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { Account_Name: account } }),
    });
    expect(patched.ok).toBe(true);
    expect((await app.inject({ method: 'POST', url: `/si-requests/${id}/replay`, headers: auth })).statusCode).toBe(
      202,
    );
    const again = await ended(id);
    expect(again).toMatchObject({ status: 'done', error: null });
    expect((await publishCounts())[projectGuid(jobId, deal.id)]).toBe(1);
  });

  it('a wrong SI key fails the check and the request with a clear auth error, without a retry storm', async () => {
    const before = ((await (await fetch(`${sims.urls.dtoolsSi}/__admin/stats`)).json()) as { unauthorized: number })
      .unauthorized;
    const check = await app.inject({ method: 'POST', url: `/connections/${wrongSiId}/check`, headers: auth });
    expect(check.statusCode).toBe(202);
    const checked = await vi.waitFor(
      async () => {
        const view = (await app.inject({ url: check.json().statusUrl, headers: auth })).json();
        expect(view.status).toBe('failed');
        return view as { error: string };
      },
      { timeout: 30_000, interval: 100 },
    );
    expect(checked.error).toMatch(/HTTP 401/);
    const deal = dealWith(true);
    const res = await app.inject({
      method: 'POST',
      url: '/si-requests',
      headers: auth,
      query: { jobId: wrongJobId },
      payload: { dealId: deal.id },
    });
    const view = await ended(res.json().id);
    expect(view.status).toBe('failed');
    expect(view.error).toMatch(/HTTP 401/);
    const after = ((await (await fetch(`${sims.urls.dtoolsSi}/__admin/stats`)).json()) as { unauthorized: number })
      .unauthorized;
    // One refused call each: the check's and the publish's. Auth errors are not retried.
    expect(after - before).toBe(2);
  });

  it('429s and 5xx from both sides and an expired Zoho token end in the same state as a clean run', async () => {
    const deal = dealWith(true);
    await fault({ kind: 'status', status: 429, retryAfterSec: 1, times: 2, pathPrefix: '/si/Publish/Projects' });
    await fault({ kind: 'status', status: 503, times: 2, pathPrefix: '/si/Message/PublishedMessageStatus' });
    // Zoho: the deal read is refused twice for rate, then its write-back meets two 500s.
    await fault({ kind: 'status', status: 429, times: 2, method: 'GET', pathPrefix: '/crm/v8/Deals?' }, 'zohoCrm');
    await fault({ kind: 'status', status: 500, times: 2, method: 'PUT', pathPrefix: '/crm/v8/Deals' }, 'zohoCrm');
    await fetch(`${sims.urls.zohoAccounts}/__admin/expire-tokens`, { method: 'POST' });
    const view = await ended((await post({ dealId: deal.id })).json().id);
    expect(view).toMatchObject({ status: 'done', error: null });
    const guid = projectGuid(jobId, deal.id);
    expect((await publishCounts())[guid]).toBe(1);
    const project = (await siProjects()).find((p) => p.id === guid)!;
    expect(sims.zoho.store.records.get('Deals')!.get(deal.id)).toMatchObject({
      SI_Project_ID: guid,
      SI_Project_Number: project.number,
      SI_Status: 'imported',
    });
    // Each rule leaves once its two hits are served.
    for (const url of [sims.urls.dtoolsSi, sims.urls.zohoCrm])
      expect(((await (await fetch(`${url}/__admin/faults`)).json()) as { rules: unknown[] }).rules).toEqual([]);
  });

  it('the sweep starts a request an API committed but never started', async () => {
    const deal = dealWith(true);
    const row = await IntegrationRequestsRepository.si(db.orm.em.fork()).create({
      jobId,
      dealId: deal.id,
      payload: { dealId: deal.id },
      source: 'api',
      dryRun: false,
    });
    await db.orm.em.fork().nativeUpdate(SiRequest, { id: row.id }, { createdAt: new Date(Date.now() - 60_000) });
    const sweep = await temporal.client.workflow.execute(requestSweep, {
      taskQueue: temporal.settings.taskQueue,
      workflowId: uniqueId('sweep'),
    });
    expect(sweep).toEqual({ started: 1, busy: 0 });
    expect(await ended(row.id)).toMatchObject({ status: 'done', error: null });
    expect((await publishCounts())[projectGuid(jobId, deal.id)]).toBe(1);
  });
});
