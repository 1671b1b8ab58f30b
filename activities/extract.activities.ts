import { Context } from '@temporalio/activity';
import { type ExtractDomain, type RawRecord } from '../domain/extract-fields.js';
import { cleanBatch, ExtractOptionsSchema, extractRules } from '../domain/extract-rules.js';
import { requireCapable } from '../domain/errors.js';
import type { ExtractPosition } from '../domain/sync-positions.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { DealAggregationsRepository } from '../db/repositories/deal-aggregations.repository.js';
import { ExtractRepository, extractStream } from '../db/repositories/extract.repository.js';
import { SyncCursorsRepository } from '../db/repositories/sync-cursors.repository.js';
import type {
  AggregatesResult,
  ExtractPagesInput,
  ExtractPagesResult,
  ExtractPlan,
  RecordsUpdateInput,
} from '../workflows/extract-definitions.js';
import { ExtractUpdateRepository } from '../db/repositories/extract-update.repository.js';
import { recordItemEvents } from './item-events.js';
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { keepAlive } from './keepalive.js';

/** Each incremental run re-reads a little before its cursor: a write committed late in the CRM can carry an earlier time. */
export const EXTRACT_OVERLAP_MS = 30_000;
/** Pages per activity: a retry resumes after the last committed batch (heartbeat). */
const PAGES_PER_ACTIVITY = 50;
/** Pages cleaned and committed together: fewer transactions, and duplicates across overlapping pages meet in one batch. */
const PAGES_PER_COMMIT = 5;

const zeroCounts = (): ExtractPagesResult['counts'] => ({
  received: 0,
  duplicates: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  stale: 0,
  rejected: 0,
  withdrawn: 0,
});

function extractOptions(options: Record<string, unknown>) {
  return ExtractOptionsSchema.parse(options.extract ?? {});
}

/** Extract activities on the main queue: our DB only. */
export function createExtractStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const em = () => deps.orm.em.fork();
  return classified({
    async extractPlan(input: { connectionId: string; full?: boolean; domains: ExtractDomain[] }): Promise<ExtractPlan> {
      const row = requireCapable(
        input.connectionId,
        await new ConnectionsRepository(em()).get(input.connectionId),
        'extract',
      );
      const cursors = new SyncCursorsRepository(em());
      const since: ExtractPlan['since'] = {};
      for (const domain of input.domains) {
        const at = input.full ? null : await cursors.get(input.connectionId, extractStream(domain));
        since[domain] = at ? new Date(Date.parse(at) - EXTRACT_OVERLAP_MS).toISOString() : null;
      }
      return { since, timeZone: extractOptions(row.options as Record<string, unknown>).timeZone };
    },

    async extractFinishDomain(input: {
      connectionId: string;
      domain: ExtractDomain;
      runId: string;
      full: boolean;
      newestModifiedAt: number | null;
    }): Promise<{ removed: number }> {
      return new ExtractRepository(em()).finishDomain(input);
    },

    async recordsUpdateMatches(input: RecordsUpdateInput): Promise<{ matched: number; sample: string[] }> {
      const repo = new ExtractUpdateRepository(em());
      const sample = await repo.next(input.connectionId, input.plan, 0, 20);
      return { matched: await repo.count(input.connectionId, input.plan), sample: sample.map((s) => s.externalId) };
    },

    async extractAggregates(input: {
      connectionId: string;
      full: boolean;
      timeZone: string;
    }): Promise<AggregatesResult> {
      const repo = new DealAggregationsRepository(em());
      if (input.full) return { ...(await repo.recomputeAll(input.connectionId, input.timeZone)), periods: null };
      return repo.recomputeDirty(input.connectionId, input.timeZone);
    },
  });
}

/** Extract activities on the connection's queue: CRM pages, cleaned and committed a few pages at a time. */
export function createExtractActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /**
     * Up to 50 pages of one domain from the position, cleaned by the connection's rules and committed five pages at
     * a time; the position after each commit is checkpointed in the heartbeat, so a retry resumes there.
     */
    /** One page of the domain's records deleted in the CRM since the run's start point, withdrawn here. */
    async extractDeletedPage(input: {
      connectionId: string;
      runId: string;
      domain: ExtractDomain;
      since: string;
      token: string | null;
    }): Promise<{ next: string | null; removed: number }> {
      return keepAlive(async () => {
        const source = await deps.connectors.capability(input.connectionId, 'extract');
        const page = await source.deletedPage(input.domain, input.since, input.token);
        const removed = await new ExtractRepository(em()).withdrawDeleted(
          input.connectionId,
          input.domain,
          page.deleted.map((d) => d.id),
          input.runId,
        );
        return { next: page.next, removed };
      });
    },

    /**
     * The next batch of matching records written to the CRM (as many as one call takes); our rows change only for
     * the records the CRM accepted, and each refusal is an item event with the CRM's code and message.
     */
    async recordsUpdateBatch(
      input: RecordsUpdateInput & { runId: string; workflowId: string; afterId: number },
    ): Promise<{ lastId: number; more: boolean; updated: number; failed: number }> {
      return keepAlive(async () => {
        const source = await deps.connectors.capability(input.connectionId, 'extract');
        const repo = new ExtractUpdateRepository(em());
        const batch = await repo.next(input.connectionId, input.plan, input.afterId, source.batchSize);
        if (batch.length === 0) return { lastId: input.afterId, more: false, updated: 0, failed: 0 };
        const results = await source.updateRecords(
          input.plan.domain,
          batch.map((b) => ({ id: b.externalId, values: input.plan.set })),
        );
        const accepted: Array<{ externalId: string; modifiedTime?: string }> = [];
        const refused: Array<{ externalId: string; code: string; message: string }> = [];
        batch.forEach((b, i) => {
          const r = results[i];
          if (r?.ok) accepted.push({ externalId: b.externalId, modifiedTime: r.modifiedTime });
          else
            refused.push({
              externalId: b.externalId,
              code: r?.code ?? 'NO_ANSWER',
              message: r?.message ?? 'the CRM gave no answer for this record',
            });
        });
        await repo.applyAccepted(input.connectionId, input.plan, accepted);
        await recordItemEvents(
          deps.orm,
          refused.map((r) => ({
            runId: input.runId,
            workflowId: input.workflowId,
            connectionId: input.connectionId,
            level: 'error' as const,
            code: r.code,
            message: `${input.plan.domain} ${r.externalId}: ${r.message}`,
            details: { recordId: r.externalId, domain: input.plan.domain },
          })),
        );
        return {
          lastId: batch[batch.length - 1]!.id,
          more: batch.length === source.batchSize,
          updated: accepted.length,
          failed: refused.length,
        };
      });
    },

    async extractPages(input: ExtractPagesInput): Promise<ExtractPagesResult> {
      const ctx = Context.current();
      const resume = ctx.info.heartbeatDetails as
        | { next: ExtractPosition | null; counts: ExtractPagesResult['counts']; pages: number; newest: number | null }
        | undefined;
      const counts = resume?.counts ?? zeroCounts();
      let pages = resume?.pages ?? 0;
      let newest = resume?.newest ?? null;
      if (resume && resume.next === null) return { next: null, counts, pages, newest };
      const source = await deps.connectors.capability(input.connectionId, 'extract');
      const connection = await deps.connectors.connection(input.connectionId);
      const rules = extractRules(connection.options.extract);
      const repo = new ExtractRepository(em());
      let next: ExtractPosition | null = resume?.next ?? input.position ?? source.start(input.domain, input.since);
      const maxPages = input.maxPages ?? PAGES_PER_ACTIVITY;
      while (next && pages < maxPages) {
        const batch: RawRecord[] = [];
        for (let n = 0; next && n < PAGES_PER_COMMIT && pages < maxPages; n++, pages++) {
          const page: { records: RawRecord[]; next: ExtractPosition | null } = await source.page(input.domain, next);
          batch.push(...page.records);
          next = page.next;
        }
        const cleaned = cleanBatch(input.domain, batch, rules);
        const out = await repo.applyBatch({
          connectionId: input.connectionId,
          provider: connection.provider,
          domain: input.domain,
          runId: input.runId,
          kept: cleaned.kept,
          rejected: cleaned.rejected,
        });
        counts.received += batch.length;
        counts.duplicates += cleaned.duplicates;
        for (const k of ['created', 'updated', 'unchanged', 'stale', 'rejected', 'withdrawn'] as const)
          counts[k] += out[k];
        for (const r of batch) if (newest === null || r.modifiedAt > newest) newest = r.modifiedAt;
        ctx.heartbeat({ next, counts, pages, newest });
      }
      return { next, counts, pages, newest };
    },
  });
}
