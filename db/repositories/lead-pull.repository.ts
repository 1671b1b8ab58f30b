import type { EntityManager } from '@mikro-orm/postgresql';
import { type LeadValues, sameValue, LEAD_FIELDS } from '../../domain/lead-fields.js';
import { mergeLead } from '../../domain/lead-merge.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import { leadStateOf } from '../../domain/lead-state.js';
import { type ConflictRow, openConflictsOf, supersedeConflicts, upsertConflicts } from './lead-conflicts.repository.js';
import { insertLeads, type LeadRow, type LeadWrite, lockLeads, markLeadErrors, pgQuery, valuesOf, writeLeads } from './lead-rows.js';
import { writeEachOnRefusal } from './record-refusals.js';

export interface RemoteLead { zohoId: string; values: LeadValues; modifiedAt: number }
export interface RemoteDeletion { zohoId: string; deletedAt: number }

export type PlanEntry =
  | { action: 'create'; zohoId: string; values: LeadValues }
  | { action: 'update' | 'link'; leadId: number; zohoId: string; fields: Array<{ field: string; from: string | null; to: string | null }> }
  | { action: 'conflict'; leadId: number; zohoId: string; field: string; local: string | null; remote: string | null }
  | { action: 'keep-local'; leadId: number; zohoId: string; field: string; policy: string }
  | { action: 'delete' | 'detach'; leadId: number; zohoId: string };

export interface ItemError { zohoId: string; code: string; message: string; leadId?: number }

export interface PullPageOutcome {
  counts: { received: number; created: number; updated: number; linked: number; conflicts: number; unchanged: number; stale: number; skipped: number; errors: number };
  plan: PlanEntry[];
  errors: ItemError[];
}

export interface DeletesOutcome { counts: { received: number; deleted: number; detached: number; unchanged: number }; plan: PlanEntry[] }

export const LEADS_STREAM = 'leads';
export const LEAD_DELETES_STREAM = 'leads:deleted';

/**
 * The pull side of the lead sync: a page of Zoho leads merged into ours in one transaction, together with the
 * cursor, so a retried page finds its own writes and changes nothing. Dry runs compute the same plan, write nothing.
 */
export class LeadPullRepository {
  constructor(private readonly em: EntityManager) {}

  /** `moveCursor: false` for merges outside the ordered listing (before a push), which must not skip what is unread. */
  async mergePage(connectionId: string, page: RemoteLead[], options: LeadSyncOptions, dryRun: boolean, moveCursor = true): Promise<PullPageOutcome> {
    const remote = latestPerId(page);
    await refreshStatsWhenStale(this.em);
    return this.em.transactional(async (tx) => {
      const rows = await lockLeads(tx, connectionId, {
        zohoIds: remote.map((r) => r.zohoId), emails: remote.flatMap((r) => (r.values.email ? [r.values.email.toLowerCase()] : [])),
      });
      const open = await openConflictsOf(tx, rows.map((r) => r.id));
      const merger = new PageMerger(rows, open, options);
      for (const rec of remote) merger.add(rec);
      if (!dryRun) {
        // One record our tables refuse (a value too long, a key another lead holds) costs only itself.
        for (const r of await writeEachOnRefusal(tx, merger.creates, (batch) => insertLeads(tx, connectionId, batch))) {
          merger.refused(r.item.zohoId!, null, r.message);
        }
        const refusedWrites = await writeEachOnRefusal(tx, merger.writes, (batch) => writeLeads(tx, batch));
        for (const r of refusedWrites) merger.refused(r.item.zohoId ?? '', r.item.id, r.message);
        await markLeadErrors(tx, refusedWrites.map((r) => ({ id: r.item.id, message: `our database refused Zoho's values: ${r.message}` })));
        await upsertConflicts(tx, merger.conflicts);
        await supersedeConflicts(tx, merger.superseded);
        if (page.length && moveCursor) await advanceCursor(tx, connectionId, LEADS_STREAM, Math.max(...page.map((r) => r.modifiedAt)));
      }
      return { counts: merger.counts, plan: merger.plan, errors: merger.errors };
    });
  }

  /** Leads deleted in Zoho: ours are deleted too, or kept and unlinked, by the connection's policy. */
  async applyRemoteDeletes(connectionId: string, deleted: RemoteDeletion[], options: LeadSyncOptions, dryRun: boolean): Promise<DeletesOutcome> {
    return this.em.transactional(async (tx) => {
      const rows = await lockLeads(tx, connectionId, { zohoIds: deleted.map((d) => d.zohoId) });
      const when = new Map(deleted.map((d) => [d.zohoId, d.deletedAt]));
      const counts = { received: deleted.length, deleted: 0, detached: 0, unchanged: 0 };
      const plan: PlanEntry[] = [];
      const writes: LeadWrite[] = [];
      const open = await openConflictsOf(tx, rows.map((r) => r.id));
      for (const row of rows) {
        if (row.zoho_deleted_at) { counts.unchanged += 1; continue; }
        const at = new Date(when.get(row.zoho_id!)!);
        const values = valuesOf(row);
        const common = { id: row.id, values, remoteModifiedAt: row.remote_modified_at, lastError: null, synced: true, syncState: 'synced' as const };
        if (options.remoteDeletes === 'delete') {
          writes.push({ ...common, zohoId: row.zoho_id, base: row.base, deletedAt: row.deleted_at ?? at, zohoDeletedAt: at });
          counts.deleted += 1;
          plan.push({ action: 'delete', leadId: row.id, zohoId: row.zoho_id! });
        } else {
          // Kept and unlinked: the agreed base is what we hold, so only a later local edit creates it in Zoho again.
          writes.push({ ...common, zohoId: null, base: values, deletedAt: row.deleted_at, zohoDeletedAt: at });
          counts.detached += 1;
          plan.push({ action: 'detach', leadId: row.id, zohoId: row.zoho_id! });
        }
      }
      counts.unchanged += deleted.length - rows.length;
      if (!dryRun) {
        await writeLeads(tx, writes);
        await supersedeConflicts(tx, [...open.values()].filter((c) => writes.some((w) => w.id === c.lead_id)).map((c) => ({ leadId: c.lead_id, field: c.field })));
        if (deleted.length) await advanceCursor(tx, connectionId, LEAD_DELETES_STREAM, Math.max(...deleted.map((d) => d.deletedAt)));
      }
      return { counts, plan };
    });
  }
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
  if (stat && Number(stat.changed) > 1000 && Number(stat.changed) > Number(stat.tuples)) await em.getConnection().execute('analyze leads');
}

/** The incremental cursor only moves forward, whatever order concurrent pulls commit in. */
async function advanceCursor(em: EntityManager, connectionId: string, stream: string, atMs: number): Promise<void> {
  await pgQuery(em,
    `insert into sync_cursors (connection_id, stream, value, updated_at) values ($1, $2, $3, now())
     on conflict (connection_id, stream) do update set value = greatest(sync_cursors.value, excluded.value), updated_at = now()`,
    [connectionId, stream, new Date(atMs).toISOString()],
  );
}

/** A page can hold one record twice when it changed while being paged: the latest version counts. */
function latestPerId(page: RemoteLead[]): RemoteLead[] {
  const byId = new Map<string, RemoteLead>();
  for (const r of page) if ((byId.get(r.zohoId)?.modifiedAt ?? -1) <= r.modifiedAt) byId.set(r.zohoId, r);
  return [...byId.values()];
}

/** Decides, record by record, what a page does to our leads; collects the writes and the plan. */
class PageMerger {
  readonly creates: Array<Omit<LeadWrite, 'id'>> = [];
  readonly writes: LeadWrite[] = [];
  readonly conflicts: Parameters<typeof upsertConflicts>[1] = [];
  readonly superseded: Array<{ leadId: number; field: string }> = [];
  readonly plan: PlanEntry[] = [];
  readonly errors: ItemError[] = [];
  readonly counts: PullPageOutcome['counts'] = { received: 0, created: 0, updated: 0, linked: 0, conflicts: 0, unchanged: 0, stale: 0, skipped: 0, errors: 0 };
  private readonly byZoho = new Map<string, LeadRow>();
  private readonly byEmail = new Map<string, LeadRow>();
  /** Emails this page gives to a lead (a create or a merge), with who takes it: a second taker is refused. */
  private readonly claimedEmails = new Map<string, string>();

  constructor(rows: LeadRow[], private readonly open: Map<string, ConflictRow>, private readonly options: LeadSyncOptions) {
    for (const r of rows) {
      if (r.zoho_id) this.byZoho.set(r.zoho_id, r);
      // A lead in `error` may share its email with the lead that owns it (see ownershipClash); the owner counts.
      if (!r.deleted_at && r.email && (r.sync_state !== 'error' || !this.byEmail.has(r.email.toLowerCase()))) this.byEmail.set(r.email.toLowerCase(), r);
    }
  }

  add(rec: RemoteLead): void {
    this.counts.received += 1;
    const email = rec.values.email?.toLowerCase() ?? null;
    let row = this.byZoho.get(rec.zohoId);
    let linking = false;
    if (!row && email) {
      const holder = this.byEmail.get(email);
      // A lost write-back: our lead reached Zoho but never learned its id. The email links them.
      if (holder && !holder.zoho_id) { row = holder; linking = true; }
    }
    if (!row) return this.create(rec, email);
    if (row.deleted_at) { this.counts.skipped += 1; return; }
    // The same record can come back in the overlap or from a page read before our own later write: older is stale.
    if (row.remote_modified_at && rec.modifiedAt < row.remote_modified_at.getTime()) { this.counts.stale += 1; return; }
    this.merge(row, rec, linking);
  }

  /**
   * A Zoho lead we do not hold yet becomes a local lead. When its email already belongs to another lead, both are
   * kept: the newcomer is stored in `error` with the reason (leads in `error` are outside the email index).
   */
  private create(rec: RemoteLead, email: string | null): void {
    const clash = this.ownershipClash(email, undefined, `Zoho lead ${rec.zohoId}`);
    if (clash) this.fail(rec, 'DUPLICATE_EMAIL', clash);
    else if (email) this.claimedEmails.set(email, `Zoho lead ${rec.zohoId}`);
    this.creates.push({
      values: rec.values, zohoId: rec.zohoId, base: rec.values, syncState: clash ? 'error' : 'synced', remoteModifiedAt: new Date(rec.modifiedAt),
      lastError: clash ?? null, synced: true, deletedAt: null, zohoDeletedAt: null,
    });
    this.counts.created += 1;
    this.plan.push({ action: 'create', zohoId: rec.zohoId, values: rec.values });
  }

  private merge(row: LeadRow, rec: RemoteLead, linking: boolean): void {
    const local = valuesOf(row);
    const merged = mergeLead({
      local, base: linking ? null : row.base, remote: rec.values, remoteModifiedAt: rec.modifiedAt,
      localChangedAt: row.local_changed_at.getTime(), options: this.options,
    });
    const conflictFields = new Set(merged.conflicts.map((c) => c.field));
    for (const field of LEAD_FIELDS) {
      const key = `${row.id}:${field}`;
      if (this.open.has(key) && !conflictFields.has(field)) this.superseded.push({ leadId: row.id, field });
    }
    const changedConflicts = merged.conflicts.filter((c) => {
      const o = this.open.get(`${row.id}:${c.field}`);
      return !o || !sameValue(o.local_value, c.local) || !sameValue(o.remote_value, c.remote);
    });
    this.conflicts.push(...changedConflicts.map((c) => ({ ...c, leadId: row.id, remoteModifiedAt: new Date(rec.modifiedAt) })));
    this.counts.conflicts += changedConflicts.length;
    const keepError = row.sync_state === 'error' && merged.localUpdates.length === 0 && !linking;
    const email = merged.values.email?.toLowerCase() ?? null;
    const clash = keepError ? undefined : this.ownershipClash(email, row, `Zoho lead ${rec.zohoId} (local lead ${row.id})`);
    if (clash) this.fail(rec, 'DUPLICATE_EMAIL', clash, row.id);
    else if (email && !keepError) this.claimedEmails.set(email, `local lead ${row.id}`);
    const syncState = keepError || clash ? 'error' : leadStateOf({
      values: merged.values, base: merged.base, zohoId: rec.zohoId, deleted: false, zohoDeleted: false, openConflicts: merged.conflicts.length,
    }, this.options);
    const baseChanged = !row.base || LEAD_FIELDS.some((f) => !sameValue(row.base?.[f], merged.base[f]));
    const zohoId = rec.zohoId;
    for (const d of merged.decisions) if (d.bothChanged && d.outcome === 'local') this.plan.push({ action: 'keep-local', leadId: row.id, zohoId, field: d.field, policy: d.policy! });
    for (const c of changedConflicts) this.plan.push({ action: 'conflict', leadId: row.id, zohoId, field: c.field, local: c.local, remote: c.remote });
    if (merged.localUpdates.length || linking) {
      this.plan.push({ action: linking ? 'link' : 'update', leadId: row.id, zohoId, fields: merged.localUpdates.map((f) => ({ field: f, from: local[f], to: merged.values[f] })) });
    }
    if (!linking && merged.localUpdates.length === 0 && !baseChanged && syncState === row.sync_state && this.superseded.every((s) => s.leadId !== row.id)) {
      this.counts.unchanged += 1;
      return;
    }
    if (linking) this.counts.linked += 1; else if (merged.localUpdates.length) this.counts.updated += 1; else this.counts.unchanged += 1;
    this.writes.push({
      id: row.id, values: merged.values, zohoId, base: merged.base, syncState, remoteModifiedAt: new Date(Math.max(rec.modifiedAt, row.remote_modified_at?.getTime() ?? 0)),
      lastError: clash ?? (keepError ? row.last_error : null), synced: true, deletedAt: null, zohoDeletedAt: null,
    });
  }

  /**
   * Why `who` may not take `email`: another live lead (not in `error`) holds it, or an earlier record of this page
   * took it. Undefined when the email is free or already `self`'s.
   */
  private ownershipClash(email: string | null, self: LeadRow | undefined, who: string): string | undefined {
    if (!email) return undefined;
    const holder = this.byEmail.get(email);
    if (holder && holder.id !== self?.id && holder.sync_state !== 'error') {
      const link = holder.zoho_id ? `, which is linked to Zoho lead ${holder.zoho_id}` : '';
      return `${who} has the email ${email} of local lead ${holder.id}${link}; merge the duplicates in Zoho or change one of the emails`;
    }
    const taker = this.claimedEmails.get(email);
    if (taker && taker !== `local lead ${self?.id}`) return `${who} has the email ${email}, which ${taker} also has in Zoho; merge the duplicates in Zoho or change one of the emails`;
    return undefined;
  }

  /** A record our tables refused after the page was planned: counted and reported like any item error. */
  refused(zohoId: string, leadId: number | null, message: string): void {
    this.counts.errors += 1;
    this.errors.push({ zohoId, code: 'REFUSED_BY_DATABASE', message: `Zoho lead ${zohoId}${leadId ? ` (local lead ${leadId})` : ''}: ${message}`, ...(leadId ? { leadId } : {}) });
  }

  private fail(rec: RemoteLead, code: string, message: string, leadId?: number): void {
    this.counts.errors += 1;
    this.errors.push({ zohoId: rec.zohoId, code, message, ...(leadId ? { leadId } : {}) });
  }
}
