import type { EntityManager } from '@mikro-orm/postgresql';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import {
  type ItemError,
  type PageCounts,
  type PlanEntry,
  planLeadPage,
  type RemoteLead,
} from '../../domain/lead-page-plan.js';
import { openConflictsOf, supersedeConflicts, upsertConflicts } from './lead-conflicts.repository.js';
import { insertLeads, lockLeads, markLeadErrors, pgQuery, toLocalLead, writeLeads } from './lead-rows.js';
import { writeEachOnRefusal } from './record-refusals.js';

export interface MergeOutcome {
  counts: PageCounts;
  plan: PlanEntry[];
  errors: ItemError[];
}

/**
 * Zoho leads merged into ours in one transaction: the leads they touch are locked and read, the domain's page plan
 * decides, and the result is written (with the cursor, for a pull), so a retried page finds its own writes and
 * changes nothing. Used by the pull, and by the push to merge what it reads back before writing. Dry runs only plan.
 */
export class LeadMergeRepository {
  constructor(private readonly em: EntityManager) {}

  /** `cursorStream`: the pull's listing, whose cursor moves to the page's latest Modified_Time with the page. */
  async mergePage(
    connectionId: string,
    page: RemoteLead[],
    options: LeadSyncOptions,
    opts: { dryRun: boolean; cursorStream?: string },
  ): Promise<MergeOutcome> {
    await refreshStatsWhenStale(this.em);
    return this.em.transactional(async (tx) => {
      const rows = await lockLeads(tx, connectionId, {
        zohoIds: page.map((r) => r.zohoId),
        emails: page.flatMap((r) => (r.values.email ? [r.values.email.toLowerCase()] : [])),
      });
      const open = await openConflictsOf(
        tx,
        rows.map((r) => r.id),
      );
      const plan = planLeadPage(
        rows.map(toLocalLead),
        [...open.values()].map((c) => ({
          leadId: c.lead_id,
          field: c.field,
          local: c.local_value,
          remote: c.remote_value,
        })),
        page,
        options,
      );
      if (!opts.dryRun) {
        // One record our tables refuse (a value too long, a key another lead holds) costs only itself.
        for (const r of await writeEachOnRefusal(tx, plan.creates, (batch) => insertLeads(tx, connectionId, batch)))
          refused(plan, r.item.zohoId!, null, r.message);
        const refusedWrites = await writeEachOnRefusal(tx, plan.writes, (batch) => writeLeads(tx, batch));
        for (const r of refusedWrites) refused(plan, r.item.zohoId ?? '', r.item.id, r.message);
        await markLeadErrors(
          tx,
          refusedWrites.map((r) => ({
            id: r.item.id,
            message: `our database refused Zoho's values: ${r.message}`,
            code: 'REFUSED_BY_DATABASE',
          })),
        );
        await upsertConflicts(tx, plan.conflicts);
        await supersedeConflicts(tx, plan.superseded);
        if (page.length && opts.cursorStream)
          await advanceCursor(tx, connectionId, opts.cursorStream, Math.max(...page.map((r) => r.modifiedAt)));
      }
      return { counts: plan.counts, plan: plan.plan, errors: plan.errors };
    });
  }
}

/** A record our tables refused after the page was planned: counted and reported like any item error. */
function refused(plan: MergeOutcome, zohoId: string, leadId: number | null, message: string): void {
  plan.counts.errors += 1;
  plan.errors.push({
    zohoId,
    code: 'REFUSED_BY_DATABASE',
    message: `Zoho lead ${zohoId}${leadId ? ` (local lead ${leadId})` : ''}: ${message}`,
    ...(leadId ? { leadId } : {}),
  });
}

/** The incremental cursor only moves forward, whatever order concurrent pulls commit in. */
export async function advanceCursor(
  em: EntityManager,
  connectionId: string,
  stream: string,
  atMs: number,
): Promise<void> {
  await pgQuery(
    em,
    `insert into sync_cursors (connection_id, stream, value, updated_at) values ($1, $2, $3, now())
     on conflict (connection_id, stream) do update set value = greatest(sync_cursors.value, excluded.value), updated_at = now()`,
    [connectionId, stream, new Date(atMs).toISOString()],
  );
}

/**
 * A first pull grows `leads` from nothing faster than autovacuum analyzes it, and with stale statistics Postgres
 * plans the per-page lookups as scans. Analyzing whenever the table has changed more than its size since the last
 * analyze keeps it to a handful of runs per pull (about log2 of the rows).
 */
let statsCheckedAt = 0;
async function refreshStatsWhenStale(em: EntityManager): Promise<void> {
  // Checked at most once a second per process: the check itself costs a query.
  if (Date.now() - statsCheckedAt < 1000) return;
  statsCheckedAt = Date.now();
  const [stat] = await em.getConnection().execute<Array<{ changed: string; tuples: string }>>(
    `select s.n_mod_since_analyze as changed, greatest(c.reltuples, 0) as tuples
       from pg_stat_user_tables s join pg_class c on c.oid = s.relid where s.relname = 'leads' and s.schemaname = current_schema()`,
  );
  if (stat && Number(stat.changed) > 1000 && Number(stat.changed) > Number(stat.tuples))
    await em.getConnection().execute('analyze leads');
}
