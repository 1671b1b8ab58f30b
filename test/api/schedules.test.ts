import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { SchedulesService } from '../../services/schedules.service.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { auth, testApp } from '../helpers/api.js';
import { hubspotConnection, simSecrets, uniqueId, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let app: FastifyInstance;
let connectionId: string;
let zohoId: string;
const scheduleId = uniqueId('sched');

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const hs = hubspotConnection(sims);
  const zo = zohoConnection(sims);
  connectionId = hs.id;
  zohoId = zo.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply([hs, zo]);
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
  app = await testApp(db, temporal);
});
afterAll(async () => {
  await temporal?.client.schedule
    .getHandle(scheduleId)
    .delete()
    .catch(() => undefined);
  await app?.close();
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });

/** The schedule's latest run once Temporal lists it: the sync's id and the scheduledRun that asked for it. */
async function recentRun(id: string): Promise<{ workflowId: string; startedBy: string }> {
  return vi.waitFor(
    async () => {
      const run = (await call('GET', `/schedules/${id}`)).json().recentRuns.at(-1);
      if (!run?.startedBy) throw new Error(`schedule ${id} has not run yet`);
      return run;
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe('API: schedules over Temporal Schedules', () => {
  it('creates, reads and lists a schedule', async () => {
    const res = await call('POST', '/schedules', {
      id: scheduleId,
      kind: 'connection-check',
      connectionId,
      every: '1h',
      note: 'hourly check',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: scheduleId,
      kind: 'connection-check',
      connectionId,
      every: '1h',
      paused: false,
      note: 'hourly check',
      timezone: 'UTC',
    });
    expect(res.json().nextRuns.length).toBeGreaterThan(0);
    expect((await call('GET', `/schedules/${scheduleId}`)).json().id).toBe(scheduleId);
    const list = (await call('GET', '/schedules')).json();
    expect(list.items.map((s: { id: string }) => s.id)).toContain(scheduleId);
  });

  it('refuses a duplicate id (409), an unknown connection (404) and bad bodies (400)', async () => {
    expect(
      (await call('POST', '/schedules', { id: scheduleId, kind: 'connection-check', connectionId, every: '1h' }))
        .statusCode,
    ).toBe(409);
    expect(
      (
        await call('POST', '/schedules', {
          id: uniqueId('s'),
          kind: 'connection-check',
          connectionId: 'nope',
          every: '1h',
        })
      ).statusCode,
    ).toBe(404);
    const both = await call('POST', '/schedules', {
      id: uniqueId('s'),
      kind: 'connection-check',
      connectionId,
      every: '1h',
      cron: '0 * * * *',
    });
    expect(both.statusCode).toBe(400);
    const bad = await call('POST', '/schedules', { id: 'Bad Id', kind: 'bogus-sync', connectionId, every: 'often' });
    expect(bad.statusCode).toBe(400);
    const fields = bad.json().error.details.fields.map((f: { field: string }) => f.field);
    expect(fields).toEqual(expect.arrayContaining(['body.id', 'body.kind', 'body.every']));
  });

  it('changes the timing with PATCH: interval, then a cron expression in a time zone', async () => {
    const res = await call('PATCH', `/schedules/${scheduleId}`, { every: '30m' });
    expect(res.statusCode).toBe(200);
    expect(res.json().every).toBe('30m');
    const cron = await call('PATCH', `/schedules/${scheduleId}`, { cron: '30 2 * * 1-5', timezone: 'Europe/Berlin' });
    expect(cron.json()).toMatchObject({ cron: '30 2 * * 1-5', every: null, timezone: 'Europe/Berlin' });
    const next = new Date(cron.json().nextRuns[0]);
    expect(next.getUTCMinutes()).toBe(30);
    expect(
      await call('PATCH', `/schedules/${scheduleId}`, { cron: 'not a cron at all' }).then((r) => r.statusCode),
    ).toBe(400);
    expect((await call('PATCH', `/schedules/${scheduleId}`, {})).statusCode).toBe(400);
  });

  it('pauses and unpauses', async () => {
    expect((await call('POST', `/schedules/${scheduleId}/pause`, { note: 'maintenance' })).json()).toMatchObject({
      paused: true,
      note: 'maintenance',
    });
    expect((await call('POST', `/schedules/${scheduleId}/unpause`)).json().paused).toBe(false);
  });

  it('trigger starts a run that completes and shows in recentRuns', async () => {
    expect((await call('POST', `/schedules/${scheduleId}/trigger`)).statusCode).toBe(200);
    const run = await recentRun(scheduleId);
    expect(run.workflowId).toBe(`connection-check:${connectionId}`);
    expect(await temporal.client.workflow.getHandle(run.startedBy).result()).toMatchObject({
      outcome: 'started',
      workflowId: run.workflowId,
    });
    const result = await temporal.client.workflow.getHandle(run.workflowId).result();
    expect(result).toMatchObject({ connectionId, provider: 'hubspot' });
  });

  it('deletes, after which it is 404', async () => {
    expect((await call('DELETE', `/schedules/${scheduleId}`)).statusCode).toBe(204);
    expect((await call('GET', `/schedules/${scheduleId}`)).statusCode).toBe(404);
    expect((await call('DELETE', `/schedules/${scheduleId}`)).statusCode).toBe(404);
  });

  it('schedules file syncs: one connection, or all connections without a connectionId', async () => {
    const id = uniqueId('files');
    const res = await call('POST', '/schedules', {
      id,
      kind: 'file-sync-all',
      every: '15m',
      options: { mode: 'incremental' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'file-sync-all', connectionId: null, every: '15m' });
    expect((await call('POST', '/schedules', { id: uniqueId('f'), kind: 'file-sync', every: '15m' })).statusCode).toBe(
      400,
    );
    const one = await call('POST', '/schedules', { id: uniqueId('f'), kind: 'file-sync', connectionId, every: '1h' });
    expect(one.json()).toMatchObject({ kind: 'file-sync', connectionId });
    await call('DELETE', `/schedules/${id}`);
    await call('DELETE', `/schedules/${one.json().id}`);
  });

  it('acts only on its own schedules: a foreign one in the namespace is 404 everywhere and absent from the list', async () => {
    const foreign = uniqueId('foreign');
    const lookalike = uniqueId('lookalike');
    await temporal.client.schedule.create({
      scheduleId: foreign,
      spec: { intervals: [{ every: '1h' }] },
      state: { paused: true },
      action: {
        type: 'startWorkflow',
        workflowType: 'someoneElsesWorkflow',
        taskQueue: 'someone-elses-queue',
        workflowId: `${foreign}-wf`,
      },
    });
    // Our memo and workflow type, but another deployment's task queue.
    await temporal.client.schedule.create({
      scheduleId: lookalike,
      spec: { intervals: [{ every: '1h' }] },
      state: { paused: true },
      memo: { kind: 'connection-check', connectionId, note: null },
      action: {
        type: 'startWorkflow',
        workflowType: 'connectionCheck',
        taskQueue: 'another-deployments-queue',
        workflowId: `${lookalike}-wf`,
        args: [{ connectionId }],
      },
    });
    try {
      for (const id of [foreign, lookalike]) {
        for (const [method, url, payload] of [
          ['GET', `/schedules/${id}`],
          ['PATCH', `/schedules/${id}`, { every: '2h' }],
          ['POST', `/schedules/${id}/pause`],
          ['POST', `/schedules/${id}/unpause`],
          ['POST', `/schedules/${id}/trigger`],
          ['DELETE', `/schedules/${id}`],
        ] as const) {
          const res = await call(method, url, payload);
          expect(res.statusCode, `${method} ${url}`).toBe(404);
          expect(res.json().error).toMatchObject({ code: 'NOT_FOUND', details: { resource: 'schedule', id } });
        }
        const d = await temporal.client.schedule.getHandle(id).describe();
        expect(d.state.paused).toBe(true);
        expect(d.info.recentActions).toHaveLength(0);
      }
      const listed = (await call('GET', '/schedules')).json().items.map((s: { id: string }) => s.id);
      expect(listed).not.toContain(foreign);
      expect(listed).not.toContain(lookalike);
    } finally {
      await temporal.client.schedule.getHandle(foreign).delete();
      await temporal.client.schedule.getHandle(lookalike).delete();
    }
  });

  it('runs one sync per job: a schedule fired while a manual full file sync runs finds that run and starts no second one', async () => {
    // HubSpot slowed down, so the manual sync is still running when the schedule fires.
    await fetch(`${sims.urls.hubspot}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'latency', latencyMs: 1500, times: 3 }),
    });
    const manual = await call('POST', '/syncs/files', { connectionId, mode: 'full' });
    expect(manual.statusCode).toBe(202);
    const id = uniqueId('full');
    expect(
      (
        await call('POST', '/schedules', {
          id,
          kind: 'file-sync',
          connectionId,
          every: '1h',
          options: { mode: 'full' },
        })
      ).statusCode,
    ).toBe(201);
    expect((await call('POST', `/schedules/${id}/trigger`)).statusCode).toBe(200);
    const run = await recentRun(id);
    expect(run.workflowId).toBe(manual.json().workflowId);
    expect(await temporal.client.workflow.getHandle(run.startedBy).result()).toMatchObject({
      outcome: 'already-running',
      runId: null,
    });
    expect(await temporal.client.workflow.getHandle(run.workflowId).result()).toMatchObject({ errors: 0, deleted: 0 });
    const runs = (await call('GET', `/syncs?kind=file-sync&connection=${connectionId}`)).json().items;
    expect(runs).toHaveLength(1);
    const files = await db.orm.em.fork().find(FileMetadata, { connectionId });
    expect(files).toHaveLength(sims.hubspot.store.files.size);
    expect(files.filter((f) => f.deletedAt)).toEqual([]);
    await call('DELETE', `/schedules/${id}`);
  });

  it('moves a schedule made by an earlier version (which started the sync itself) to scheduledRun at the next start', async () => {
    const id = uniqueId('old');
    await temporal.client.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '1h' }] },
      state: { paused: true },
      memo: { kind: 'file-sync', connectionId, note: null },
      action: {
        type: 'startWorkflow',
        workflowType: 'fileSync',
        taskQueue: temporal.settings.taskQueue,
        workflowId: `file-sync:${connectionId}:scheduled`,
        args: [{ connectionId, mode: 'full', downloadContent: false }],
        memo: { scheduleId: id, cron: null },
      },
    });
    try {
      const service = new SchedulesService(temporal.settings, () => db.orm.em.fork());
      const { created } = await service.ensure({ id, kind: 'file-sync', connectionId, every: '1h' });
      expect(created).toBe(false);
      const d = await temporal.client.schedule.getHandle(id).describe();
      expect(d.action).toMatchObject({
        workflowType: 'scheduledRun',
        args: [
          { workflowType: 'fileSync', workflowId: `file-sync:${connectionId}`, args: [{ connectionId, mode: 'full' }] },
        ],
      });
      expect(d.state.paused).toBe(true);
    } finally {
      await temporal.client.schedule.getHandle(id).delete();
    }
  });

  it('schedules a lead pull for a Zoho connection; a triggered run pulls the leads', async () => {
    const id = uniqueId('leads');
    const res = await call('POST', '/schedules', { id, kind: 'lead-pull', connectionId: zohoId, every: '5m' });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'lead-pull', connectionId: zohoId, every: '5m' });
    expect((await call('POST', `/schedules/${id}/trigger`)).statusCode).toBe(200);
    const run = await recentRun(id);
    expect(run.workflowId).toBe(`lead-pull:${zohoId}`);
    await temporal.client.workflow.getHandle(run.startedBy).result();
    expect(await temporal.client.workflow.getHandle(run.workflowId).result()).toMatchObject({
      connectionId: zohoId,
      created: 25,
      errors: 0,
    });
    await call('DELETE', `/schedules/${id}`);
  });
});
