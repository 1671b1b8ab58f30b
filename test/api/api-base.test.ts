import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { API_KEY, auth, testApp } from '../helpers/api.js';
import { hubspotConnection, simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let app: FastifyInstance;
let hubspotId: string;
let zohoId: string;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const hs = hubspotConnection(sims);
  const zo = zohoConnection(sims);
  hubspotId = hs.id;
  zohoId = zo.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply([hs, zo]);
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

async function waitForStatus(workflowId: string, want: string[], phase?: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const body = (await app.inject({ url: `/syncs/${encodeURIComponent(workflowId)}`, headers: auth })).json();
      expect(want).toContain(body.status);
      if (phase) expect(body.progress?.phase).toBe(phase);
      return body as Record<string, unknown>;
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe('API: auth, health and errors', () => {
  it('/health needs no key; /ready reports database and Temporal', async () => {
    expect((await app.inject({ url: '/health' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { database: { ok: true }, temporal: { ok: true } } });
  });

  it('answers 401 in the one error shape without a key or with a wrong one', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-key-wrong-key' }, { authorization: API_KEY }]) {
      const res = await app.inject({ url: '/connections', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.any(String), details: {} } });
    }
  });

  it('serves the OpenAPI document with every route', async () => {
    const res = await app.inject({ url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const paths = Object.keys(res.json().paths);
    for (const p of [
      '/health',
      '/ready',
      '/connections',
      '/connections/{id}/check',
      '/syncs',
      '/syncs/{workflowId}',
      '/syncs/{workflowId}/cancel',
      '/schedules',
      '/schedules/{id}',
      '/schedules/{id}/pause',
      '/schedules/{id}/unpause',
      '/schedules/{id}/trigger',
    ]) {
      expect(paths).toContain(p);
    }
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await app.inject({ url: '/nope', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('NOT_FOUND');
  });
});

describe('API: connections', () => {
  it('lists connections with provider, region and base URLs but no secret or secret reference', async () => {
    const res = await app.inject({ url: '/connections', headers: auth });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.nextCursor).toBeNull();
    const zoho = body.items.find((c: { id: string }) => c.id === zohoId);
    expect(zoho).toMatchObject({ provider: 'zoho-crm', region: 'com', baseUrls: { accounts: sims.urls.zohoAccounts } });
    const text = res.body;
    for (const s of [...Object.values(simSecrets), 'ZOHO_SIM_REFRESH_TOKEN', 'credential'])
      expect(text).not.toContain(s);
  });

  it('404s an unknown connection, for reads and for checks', async () => {
    expect((await app.inject({ url: '/connections/no-such-conn', headers: auth })).statusCode).toBe(404);
    const res = await app.inject({ method: 'POST', url: '/connections/no-such-conn/check', headers: auth });
    expect(res.statusCode).toBe(404);
    expect(res.json().error).toMatchObject({
      code: 'NOT_FOUND',
      details: { resource: 'connection', id: 'no-such-conn' },
    });
  });

  it('POST /connections/:id/check → 202, then GET /syncs/:workflowId reaches completed with the result', async () => {
    for (const id of [hubspotId, zohoId]) {
      const res = await app.inject({ method: 'POST', url: `/connections/${id}/check`, headers: auth });
      expect(res.statusCode).toBe(202);
      const started = res.json();
      expect(started).toMatchObject({
        workflowId: `connection-check:${id}`,
        runId: expect.any(String),
        statusUrl: `/syncs/${encodeURIComponent(`connection-check:${id}`)}`,
      });
      expect(started.temporalUiUrl).toContain(`/workflows/${encodeURIComponent(started.workflowId)}/${started.runId}`);
      const done = await waitForStatus(started.workflowId, ['completed', 'failed']);
      expect(done).toMatchObject({
        status: 'completed',
        kind: 'connection-check',
        connectionId: id,
        runId: started.runId,
        result: { connectionId: id },
      });
      expect(done.closedAt).toEqual(expect.any(String));
    }
  });
});

describe('API: syncs', () => {
  it('lists runs newest first, filters them, and pages with nextCursor', async () => {
    for (let i = 0; i < 2; i++) {
      const { workflowId } = (
        await app.inject({ method: 'POST', url: `/connections/${hubspotId}/check`, headers: auth })
      ).json();
      await waitForStatus(workflowId, ['completed']);
    }
    const all = (
      await app.inject({ url: `/syncs?connection=${hubspotId}&kind=connection-check&status=completed`, headers: auth })
    ).json();
    expect(all.items.length).toBeGreaterThanOrEqual(3);
    expect(
      all.items.every(
        (r: { connectionId: string; status: string }) => r.connectionId === hubspotId && r.status === 'completed',
      ),
    ).toBe(true);
    const first = (await app.inject({ url: `/syncs?connection=${hubspotId}&limit=1`, headers: auth })).json();
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (
      await app.inject({ url: `/syncs?connection=${hubspotId}&limit=1&cursor=${first.nextCursor}`, headers: auth })
    ).json();
    expect(second.items[0].runId).not.toBe(first.items[0].runId);
    expect(new Date(second.items[0].startedAt).getTime()).toBeLessThanOrEqual(
      new Date(first.items[0].startedAt).getTime(),
    );
  });

  it('answers 400 naming each bad query field', async () => {
    const res = await app.inject({ url: '/syncs?status=bogus&limit=0', headers: auth });
    expect(res.statusCode).toBe(400);
    const fields = res.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['querystring.status', 'querystring.limit']));
  });

  it('answers 400 for a cursor it did not issue and 404 for an unknown workflow', async () => {
    expect((await app.inject({ url: '/syncs?cursor=garbage', headers: auth })).statusCode).toBe(400);
    expect((await app.inject({ url: '/syncs/no-such-workflow', headers: auth })).statusCode).toBe(404);
    expect(
      (await app.inject({ method: 'POST', url: '/syncs/no-such-workflow/cancel', headers: auth })).statusCode,
    ).toBe(404);
  });

  it('cancels a running sync and reports it canceled', async () => {
    // A check on a connection whose queue no worker polls stays running until cancelled.
    await new ConnectionsRepository(db.orm.em.fork()).apply([hubspotConnection(sims, { id: `${hubspotId}-idle` })]);
    const { workflowId } = (
      await app.inject({ method: 'POST', url: `/connections/${hubspotId}-idle/check`, headers: auth })
    ).json();
    const running = await waitForStatus(workflowId, ['running'], 'checking');
    expect(running.progress).toMatchObject({ phase: 'checking', done: 0, total: 1 });
    const res = await app.inject({
      method: 'POST',
      url: `/syncs/${encodeURIComponent(workflowId)}/cancel`,
      headers: auth,
    });
    expect(res.statusCode).toBe(202);
    await waitForStatus(workflowId, ['canceled']);
    const rows = (await app.inject({ url: `/syncs?connection=${hubspotId}-idle`, headers: auth })).json();
    expect(rows.items[0].status).toBe('canceled');
  });

  it('a second check while one runs returns the running workflow', async () => {
    await new ConnectionsRepository(db.orm.em.fork()).apply([hubspotConnection(sims, { id: `${hubspotId}-idle2` })]);
    const a = (
      await app.inject({ method: 'POST', url: `/connections/${hubspotId}-idle2/check`, headers: auth })
    ).json();
    const b = (
      await app.inject({ method: 'POST', url: `/connections/${hubspotId}-idle2/check`, headers: auth })
    ).json();
    expect(b.runId).toBe(a.runId);
    await app.inject({ method: 'POST', url: `/syncs/${encodeURIComponent(a.workflowId)}/cancel`, headers: auth });
  });
});
