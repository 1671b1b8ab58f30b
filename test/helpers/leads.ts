import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, vi } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { auth, testApp } from './api.js';
import { zohoConnection } from './connections.js';
import { startTestStack, type TestStack } from './stack.js';

export type LeadItem = {
  id: number;
  connectionId: string;
  firstName: string | null;
  lastName: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  status: string | null;
  source: string | null;
  zohoId: string | null;
  syncState: string;
  lastError: string | null;
  updatedAt: string;
  deletedAt: string | null;
  conflicts?: Array<{ field: string; localValue: string | null; remoteValue: string | null }>;
};
export type ZohoLead = Record<string, unknown> & { id: string; Email?: string; Modified_Time: string };

/** Lead-sync test helpers over the API (app.inject) and the Zoho simulator's admin endpoints. */
export function leadHelpers(app: FastifyInstance, stack: TestStack) {
  const sims: RunningSimulators = stack.sims;
  const zohoUrl = sims.urls.zohoCrm;
  const call = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const res = await app.inject({
      method,
      url,
      headers: auth,
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
    return { status: res.statusCode, body: res.body ? res.json() : null };
  };

  // vi.waitUntil, not vi.waitFor: a failing request fails the wait at once instead of being retried until the timeout.
  async function syncDone(workflowId: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    return vi.waitUntil(
      async () => {
        const { status, body } = await call('GET', `/syncs/${encodeURIComponent(workflowId)}`);
        return status === 200 && body.status !== 'running' ? (body as Record<string, unknown>) : false;
      },
      { timeout: timeoutMs, interval: 100, message: `${workflowId} did not finish` },
    );
  }

  return {
    call,
    syncDone,
    async lead(id: number): Promise<LeadItem> {
      return (await call('GET', `/leads/${id}`)).body;
    },
    async leads(query = ''): Promise<LeadItem[]> {
      const out: LeadItem[] = [];
      let cursor: string | null = null;
      do {
        const { body } = await call('GET', `/leads?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
        out.push(...body.items);
        cursor = body.nextCursor;
      } while (cursor);
      return out;
    },
    /** Pulls and waits; returns the run's result counts. */
    async pull(
      body: Record<string, unknown> = {},
    ): Promise<Record<'created' | 'updated' | 'conflicts' | 'deleted' | 'detached' | 'received' | 'errors', number>> {
      const started = await call('POST', '/syncs/leads/pull', body);
      if (started.status !== 202) throw new Error(JSON.stringify(started.body));
      const done = await syncDone(started.body.workflowId, 120_000);
      if (done.status !== 'completed') throw new Error(`pull ${done.status}: ${String(done.error)}`);
      return done.result as never;
    },
    /** Waits until no lead is pending and the connection's push has finished. */
    async pushed(timeoutMs = 60_000): Promise<void> {
      await vi.waitUntil(
        async () => {
          const pending = (await call('GET', '/leads?syncState=pending&limit=1')).body.items.length;
          const push = await call('GET', `/syncs/${encodeURIComponent(`lead-push:${stack.zohoId}`)}`);
          return pending === 0 && (push.status === 404 || push.body.status !== 'running');
        },
        { timeout: timeoutMs, interval: 100, message: 'leads still pending' },
      );
    },
    async zohoLeads(): Promise<ZohoLead[]> {
      return ((await (await fetch(`${zohoUrl}/__admin/records/Leads`)).json()) as { records: ZohoLead[] }).records;
    },
    async zohoLead(id: string): Promise<ZohoLead | undefined> {
      return (await this.zohoLeads()).find((l) => l.id === id);
    },
    /** An edit made by a person in Zoho (moves Modified_Time; `at` sets it). */
    async zohoEdit(id: string, fields: Record<string, unknown>, at?: number): Promise<ZohoLead> {
      const res = await fetch(`${zohoUrl}/__admin/records/Leads/${id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields, at }),
      });
      if (!res.ok) throw new Error(await res.text());
      return (await res.json()) as ZohoLead;
    },
    async zohoDelete(id: string): Promise<void> {
      const res = await fetch(`${zohoUrl}/__admin/records/Leads/${id}`, { method: 'DELETE' });
      if (!res.ok) throw new Error(await res.text());
    },
    async zohoStats(): Promise<{
      writeCalls: number;
      recordsWritten: number;
      pageTokenCalls: number;
      requests: number;
    }> {
      return (await (await fetch(`${zohoUrl}/__admin/stats`)).json()) as never;
    },
    async zohoFault(rule: Record<string, unknown>): Promise<void> {
      const res = await fetch(`${zohoUrl}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(rule),
      });
      if (!res.ok) throw new Error(await res.text());
    },
    /** Sets the connection's lead-sync policies (read by activities on every call). */
    async policies(leadSync: Partial<LeadSyncOptions>): Promise<void> {
      await new ConnectionsRepository(stack.db.orm.em.fork()).apply([
        { ...zohoConnection(sims, { id: stack.zohoId }), options: { leadSync } } as never,
      ]);
    },
  };
}

/** A test file's stack, API and lead helpers, started before its tests (optionally with a first pull) and closed after. */
export function useLeadStack(opts: { pull?: boolean } = {}): {
  stack: TestStack;
  app: FastifyInstance;
  h: ReturnType<typeof leadHelpers>;
} {
  const fixture = {} as { stack: TestStack; app: FastifyInstance; h: ReturnType<typeof leadHelpers> };
  beforeAll(async () => {
    fixture.stack = await startTestStack();
    fixture.app = await testApp(fixture.stack.db, fixture.stack.temporal, fixture.stack.content);
    fixture.h = leadHelpers(fixture.app, fixture.stack);
    if (opts.pull) await fixture.h.pull();
  });
  afterAll(async () => {
    await fixture.app?.close();
    await fixture.stack?.close();
  });
  return fixture;
}
