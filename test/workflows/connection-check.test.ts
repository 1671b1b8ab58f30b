import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { connectionCheck } from '../../workflows/index.js';
import { hubspotConnection, simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
const ids: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const conns = {
    hubspot: hubspotConnection(sims),
    zoho: zohoConnection(sims),
    badHubspot: hubspotConnection(sims, { tokenEnv: 'WRONG_HUBSPOT_TOKEN' }),
    badZoho: zohoConnection(sims, { refreshTokenEnv: 'WRONG_ZOHO_REFRESH_TOKEN' }),
    missingSecret: hubspotConnection(sims, { tokenEnv: 'NOT_SET_ANYWHERE' }),
  };
  for (const [k, c] of Object.entries(conns)) ids[k] = c.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply(Object.values(conns));
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
});
afterAll(async () => {
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

const run = (connectionId: string) =>
  temporal.client.workflow.execute(connectionCheck, {
    taskQueue: temporal.settings.taskQueue,
    workflowId: `connection-check:${connectionId}`,
    args: [{ connectionId }],
  });
const runsRepo = () => new SyncRunsRepository(db.orm.em.fork());

describe('connectionCheck workflow (real worker, Temporal dev server, Postgres, simulators)', () => {
  it('verifies a HubSpot connection and records a completed sync_runs row', async () => {
    const result = await run(ids.hubspot!);
    expect(result).toMatchObject({ connectionId: ids.hubspot, provider: 'hubspot' });
    const row = await runsRepo().findLatestByWorkflowId(`connection-check:${ids.hubspot}`);
    expect(row).toMatchObject({ kind: 'connection-check', status: 'completed', connectionId: ids.hubspot });
    expect(row!.finishedAt).toBeInstanceOf(Date);
  });

  it('verifies a Zoho connection with a token refresh, then reuses the cached token', async () => {
    const first = await run(ids.zoho!);
    expect(first).toMatchObject({ provider: 'zoho-crm', tokenRefreshed: true });
    const second = await run(ids.zoho!);
    expect(second.tokenRefreshed).toBe(false);
  });

  it('fails fast on a wrong HubSpot token and records the classified error in sync_events', async () => {
    const err = await run(ids.badHubspot!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const row = await runsRepo().findLatestByWorkflowId(`connection-check:${ids.badHubspot}`);
    expect(row?.status).toBe('failed');
    const events = await runsRepo().events(row!.runId);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ level: 'error', code: 'AuthError' });
  });

  it('fails on a refresh token Zoho rejects with an HTTP 200 error body', async () => {
    await expect(run(ids.badZoho!)).rejects.toBeInstanceOf(WorkflowFailedError);
    const row = await runsRepo().findLatestByWorkflowId(`connection-check:${ids.badZoho}`);
    const events = await runsRepo().events(row!.runId);
    expect(events[0]?.message).toContain('invalid_code');
  });

  it('names a missing secret without retrying', async () => {
    await expect(run(ids.missingSecret!)).rejects.toBeInstanceOf(WorkflowFailedError);
    const row = await runsRepo().findLatestByWorkflowId(`connection-check:${ids.missingSecret}`);
    const events = await runsRepo().events(row!.runId);
    expect(events[0]).toMatchObject({ code: 'ConfigError' });
    expect(events[0]!.message).toContain('NOT_SET_ANYWHERE');
  });

  it('retries through injected 503s and still completes', async () => {
    await fetch(`${sims.urls.hubspot}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'status', status: 503, times: 2, pathPrefix: '/crm/v3/objects/deals' }),
    });
    const result = await run(ids.hubspot!);
    expect(result.provider).toBe('hubspot');
    // Both 503s were served (the rule is used up) and Temporal retried: the check succeeded on its third attempt
    // (the two run-recording activities around it on their first).
    expect(((await (await fetch(`${sims.urls.hubspot}/__admin/faults`)).json()) as { rules: unknown[] }).rules).toEqual(
      [],
    );
    const history = await temporal.client.workflow.getHandle(`connection-check:${ids.hubspot}`).fetchHistory();
    const attempts = history.events!.flatMap((e) =>
      e.activityTaskStartedEventAttributes ? [e.activityTaskStartedEventAttributes.attempt] : [],
    );
    expect(attempts.sort()).toEqual([1, 1, 3]);
  });

  it('keeps secrets out of the workflow history', async () => {
    const handle = temporal.client.workflow.getHandle(`connection-check:${ids.zoho}`);
    const history = JSON.stringify(await handle.fetchHistory());
    for (const secret of [
      simSecrets.ZOHO_SIM_CLIENT_SECRET!,
      simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
      simSecrets.HUBSPOT_SIM_TOKEN!,
    ]) {
      expect(history).not.toContain(secret);
      expect(history).not.toContain(Buffer.from(secret).toString('base64'));
    }
    const token = (await pgTokenStore(db.orm).get(ids.zoho!))!.accessToken;
    expect(history).not.toContain(Buffer.from(token).toString('base64'));
  });
});

describe('connectionCheck under load and bad answers', () => {
  it('20 concurrent check activities on a cold token cache mint exactly one Zoho token', async () => {
    const cold = zohoConnection(sims);
    await new ConnectionsRepository(db.orm.em.fork()).apply([cold]);
    await temporal.workers.syncConnectionWorkers();
    const before = sims.zoho.auth.mintCount;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        temporal.client.workflow.execute(connectionCheck, {
          taskQueue: temporal.settings.taskQueue,
          workflowId: `connection-check:${cold.id}:${i}`,
          args: [{ connectionId: cold.id }],
        }),
      ),
    );
    expect(results).toHaveLength(20);
    expect(sims.zoho.auth.mintCount - before).toBe(1);
    expect(results.some((r) => r.tokenRefreshed)).toBe(true);
  });

  it('a CRM answering garbage ends in a classified error in sync_events, and the worker keeps working', async () => {
    await fetch(`${sims.urls.hubspot}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'status',
        status: 200,
        times: 4,
        pathPrefix: '/crm/v3/objects/deals',
        body: { results: 'not a list' },
      }),
    });
    await expect(run(ids.hubspot!)).rejects.toBeInstanceOf(WorkflowFailedError);
    const row = await runsRepo().findLatestByWorkflowId(`connection-check:${ids.hubspot}`);
    const events = await runsRepo().events(row!.runId);
    expect(events[0]).toMatchObject({ level: 'error', code: 'UnavailableError' });
    expect(events[0]!.message).toContain('unexpected response shape');
    expect(await run(ids.hubspot!)).toMatchObject({ provider: 'hubspot' });
  }, 60_000);
});
