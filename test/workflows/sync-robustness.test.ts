import { beforeAll, describe, expect, it, vi } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { type leadHelpers, useLeadStack } from '../helpers/leads.js';
import type { TestStack } from '../helpers/stack.js';

const fixture = useLeadStack();
let stack: TestStack;
let h: ReturnType<typeof leadHelpers>;
beforeAll(() => {
  ({ stack, h } = fixture);
});

const live = async (connectionId: string) =>
  await stack.db.orm.em.fork().find(FileMetadata, { connectionId, deletedAt: null });
const events = async (workflowId: string) =>
  (await h.call('GET', `/syncs/${encodeURIComponent(workflowId)}/events?limit=200`)).body.items as Array<{
    code: string;
    message: string;
    details: Record<string, unknown>;
  }>;

describe('file sync: one record never stops a sync', () => {
  it('records a file our table refuses as an item error and writes every other file; the run completes', async () => {
    const files = [...stack.sims.hubspot.store.files.values()];
    const bad = files[0]!;
    bad.name = 'n'.repeat(600); // longer than file_metadata.name (500)
    const started = await h.call('POST', '/syncs/files', { connectionId: stack.hubspotId, mode: 'full' });
    expect(started.status).toBe(202);
    const run = await h.syncDone(started.body.workflowId, 120_000);
    expect(run.status).toBe('completed');
    expect(run.result).toMatchObject({ errors: 1, created: files.length - 1 });
    const rows = await live(stack.hubspotId);
    expect(rows.map((r) => r.externalFileId).sort()).toEqual(
      files
        .filter((f) => f !== bad)
        .map((f) => f.id)
        .sort(),
    );
    const refused = (await events(started.body.workflowId)).find((e) => e.details.externalFileId === bad.id);
    expect(refused).toMatchObject({ code: 'REFUSED_BY_DATABASE' });
    expect(refused!.message).toMatch(/too long/);
  });
});

describe('dry runs', () => {
  it('runs a real file sync requested while a dry run of the same connection is running', async () => {
    const hubspot = stack.sims.urls.hubspot;
    // Slow HubSpot down so the dry run is still running when the real sync is asked for.
    await fetch(`${hubspot}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'latency', latencyMs: 1500, times: 2 }),
    });
    const dry = await h.call('POST', '/syncs/files', { connectionId: stack.hubspotId, mode: 'full', dryRun: true });
    const real = await h.call('POST', '/syncs/files', { connectionId: stack.hubspotId, mode: 'full' });
    expect(dry.body.workflowId).toBe(`file-sync:${stack.hubspotId}:dry-run`);
    expect(real.body.workflowId).toBe(`file-sync:${stack.hubspotId}`);
    expect((await h.call('GET', `/syncs/${encodeURIComponent(dry.body.workflowId)}`)).body.status).toBe('running');
    const [dryDone, realDone] = [
      await h.syncDone(dry.body.workflowId, 120_000),
      await h.syncDone(real.body.workflowId, 120_000),
    ];
    expect(dryDone.result).toMatchObject({ dryRun: true });
    expect(realDone).toMatchObject({ status: 'completed', result: { dryRun: false } });
    expect(realDone.runId).not.toBe(dryDone.runId);
  });
});

describe('a run stuck on retries', () => {
  it('shows the current activity attempt count and its last failure in GET /syncs/:id', async () => {
    await h.zohoFault({ kind: 'status', status: 503, pathPrefix: '/crm/v8/Leads' });
    const started = await h.call('POST', '/syncs/leads/pull', {});
    type View = {
      status: string;
      pendingActivities: Array<{ activityType: string; attempt: number; lastFailure: string | null }>;
    };
    const view = await vi.waitFor(
      async () => {
        const v = (await h.call('GET', `/syncs/${encodeURIComponent(started.body.workflowId)}`)).body as View;
        if ((v.pendingActivities[0]?.attempt ?? 0) < 3)
          throw new Error(`attempt ${v.pendingActivities[0]?.attempt ?? 0} so far`);
        return v;
      },
      { timeout: 60_000, interval: 200 },
    );
    expect(view.status).toBe('running');
    expect(view.pendingActivities[0]!.attempt).toBeGreaterThanOrEqual(3);
    expect(view.pendingActivities[0]!.lastFailure).toMatch(/503/);
    await fetch(`${stack.sims.urls.zohoCrm}/__admin/faults`, { method: 'DELETE' });
    const done = await h.syncDone(started.body.workflowId, 120_000);
    expect(done).toMatchObject({ status: 'completed', pendingActivities: [] });
  });
});
