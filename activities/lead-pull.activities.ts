import { Context } from '@temporalio/activity';
import { leadSyncOptions } from '../domain/lead-policy.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { requireCapable } from '../domain/errors.js';
import { LeadMergeRepository } from '../db/repositories/lead-merge.repository.js';
import { LEAD_DELETES_STREAM, LeadPullRepository, LEADS_STREAM } from '../db/repositories/lead-pull.repository.js';
import type { ItemError, PlanEntry } from '../domain/lead-page-plan.js';
import { LeadPushRepository } from '../db/repositories/lead-push.repository.js';
import { SyncCursorsRepository } from '../db/repositories/sync-cursors.repository.js';
import type {
  LeadPullDeletesInput,
  LeadPullDeletesResult,
  LeadPullPageInput,
  LeadPullPageResult,
  LeadPullPlan,
  LeadPullPosition,
} from '../workflows/lead-definitions.js';
import type { ActivityDeps } from './deps.js';
import { recordItemEvents } from './item-events.js';
import { classified } from './failures.js';
import { keepAlive } from './keepalive.js';
import { pullPages } from './lead-pull-pages.js';

/** Each pull re-reads a little before its cursor: a write committed late in Zoho can carry an earlier time. */
export const PULL_OVERLAP_MS = 30_000;
/** Pages per activity: a retry resumes after the last committed page (heartbeat), so only Temporal's per-activity cost sets it. */
const PAGES_PER_ACTIVITY = 50;
const zeroPageCounts = (): LeadPullPageResult['counts'] => ({
  received: 0,
  created: 0,
  updated: 0,
  linked: 0,
  conflicts: 0,
  unchanged: 0,
  stale: 0,
  skipped: 0,
  errors: 0,
});

/** Lead pull activities on the main queue: our DB only. */
export function createLeadStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const em = () => deps.orm.em.fork();
  return classified({
    async leadPullPlan(input: { connectionId: string; full?: boolean }): Promise<LeadPullPlan> {
      requireCapable(input.connectionId, await new ConnectionsRepository(em()).get(input.connectionId), 'leads');
      const cursors = new SyncCursorsRepository(em());
      const back = async (stream: string) => {
        const at = input.full ? null : await cursors.get(input.connectionId, stream);
        return at ? new Date(Date.parse(at) - PULL_OVERLAP_MS).toISOString() : null;
      };
      return { since: await back(LEADS_STREAM), deletedSince: await back(LEAD_DELETES_STREAM) };
    },

    async leadPendingCount(input: { connectionId: string }): Promise<number> {
      return new LeadPushRepository(em()).pendingCount(input.connectionId);
    },
  });
}

/** Lead pull activities on the connection's queue: one Zoho call and one transaction each. */
export function createLeadPullActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /**
     * Up to 50 pages of leads modified since the position, merged and committed with the cursor two pages at a
     * time, the next two fetched while the current ones commit. The position after each commit is checkpointed in
     * the heartbeat, so a retry resumes there.
     */
    async leadPullPages(input: LeadPullPageInput): Promise<LeadPullPageResult> {
      const ctx = Context.current();
      const resume = ctx.info.heartbeatDetails as
        { next: LeadPullPosition | null; counts: LeadPullPageResult['counts']; pages: number } | undefined;
      const counts = resume?.counts ?? zeroPageCounts();
      if (resume && resume.next === null) return { next: null, counts, pages: resume.pages };
      const leads = await deps.connectors.capability(input.connectionId, 'leads');
      const options = leadSyncOptions((await deps.connectors.connection(input.connectionId)).options);
      let pages = resume?.pages ?? 0;
      const done = await pullPages(
        leads,
        resume?.next ?? input.position,
        (input.maxPages ?? PAGES_PER_ACTIVITY) - pages,
        async (page) => {
          const out = await new LeadMergeRepository(em()).mergePage(input.connectionId, page, options, {
            dryRun: input.dryRun,
            cursorStream: LEADS_STREAM,
          });
          for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += out.counts[k];
          await recordEvents(deps, input, out.plan, out.errors, input.dryRun);
        },
        (next, committedPages) => {
          pages += committedPages;
          ctx.heartbeat({ next, counts, pages });
        },
      );
      return { next: done.next, counts, pages };
    },

    /** One page of the CRM's deleted leads since the cursor, applied by the connection's policy. */
    async leadPullDeletes(input: LeadPullDeletesInput): Promise<LeadPullDeletesResult> {
      return keepAlive(async () => {
        const leads = await deps.connectors.capability(input.connectionId, 'leads');
        const options = leadSyncOptions((await deps.connectors.connection(input.connectionId)).options);
        const page = await leads.deletedLeads(input.since, input.page);
        const deleted = page.deleted.map((d) => ({ zohoId: d.remoteId, deletedAt: d.deletedAt }));
        const out = await new LeadPullRepository(em()).applyRemoteDeletes(
          input.connectionId,
          deleted,
          options,
          input.dryRun,
        );
        await recordEvents(deps, input, out.plan, [], input.dryRun);
        return {
          nextPage: page.nextPage,
          counts: { received: out.counts.received, deleted: out.counts.deleted, detached: out.counts.detached },
        };
      });
    },
  });
}

async function recordEvents(
  deps: Pick<ActivityDeps, 'orm'>,
  input: { runId: string; workflowId: string; connectionId: string },
  plan: PlanEntry[],
  errors: ItemError[],
  dryRun: boolean,
): Promise<void> {
  const common = { runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId };
  await recordItemEvents(deps.orm, [
    ...errors.map((e) => ({
      ...common,
      level: 'error' as const,
      code: e.code,
      message: e.message,
      details: { zohoId: e.zohoId, ...(e.leadId ? { leadId: e.leadId } : {}) },
    })),
    ...(dryRun
      ? plan.map((p) => ({
          ...common,
          level: 'info' as const,
          code: `dry-run:${p.action}`,
          message: describe(p),
          details: p as unknown as Record<string, unknown>,
        }))
      : []),
  ]);
}

export function describe(p: PlanEntry): string {
  switch (p.action) {
    case 'create':
      return `would create a lead from Zoho lead ${p.zohoId}`;
    case 'update':
    case 'link':
      return `would ${p.action} lead ${p.leadId} (Zoho ${p.zohoId})${p.fields.length ? `: ${p.fields.map((f) => f.field).join(', ')}` : ''}`;
    case 'conflict':
      return `would open a conflict on lead ${p.leadId}.${p.field}`;
    case 'keep-local':
      return `would keep the local ${p.field} of lead ${p.leadId} (${p.policy})`;
    case 'delete':
    case 'detach':
      return `would ${p.action} lead ${p.leadId} (deleted in Zoho as ${p.zohoId})`;
  }
}
