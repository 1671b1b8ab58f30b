import { LEAD_FIELDS, type LeadValues, sameValue } from './lead-fields.js';
import { type LeadConflictFound, mergeLead } from './lead-merge.js';
import type { LeadSyncOptions } from './lead-policy.js';
import { leadStateOf, type LeadSyncState } from './lead-state.js';

/**
 * Error codes of a lead that lost an ownership clash: a pulled Zoho lead whose email another local lead holds
 * (`DUPLICATE_EMAIL`), or a push answered with a Zoho id another local lead is linked to (`ZOHO_ID_TAKEN`). Such a
 * lead waits in `error` for a person (GET /leads/conflicts lists them), not for a retry.
 */
export const OWNERSHIP_CLASH = 'DUPLICATE_EMAIL';
export const ZOHO_ID_TAKEN = 'ZOHO_ID_TAKEN';
export const OWNERSHIP_ERROR_CODES = [OWNERSHIP_CLASH, ZOHO_ID_TAKEN] as const;

/** A Zoho lead as a pull or a push's read-back sees it. */
export interface RemoteLead {
  zohoId: string;
  values: LeadValues;
  modifiedAt: number;
}

/** One of our leads, as the plan needs it (a `leads` row, without the DB's column names). */
export interface LocalLead {
  id: number;
  zohoId: string | null;
  values: LeadValues;
  base: Partial<LeadValues> | null;
  syncState: LeadSyncState;
  lastError: string | null;
  /** The code of `lastError` (`DUPLICATE_EMAIL`, `ZOHO_ID_TAKEN`, a CRM's code), when it had one. */
  lastErrorCode?: string | null;
  remoteModifiedAt: Date | null;
  localChangedAt: Date;
  deletedAt: Date | null;
}
export interface OpenConflict {
  leadId: number;
  field: string;
  local: string | null;
  remote: string | null;
}

/** The full new state of a lead, as the sync writes it in bulk. */
export interface LeadWrite {
  id: number;
  values: LeadValues;
  zohoId: string | null;
  base: Partial<LeadValues> | null;
  syncState: LeadSyncState;
  remoteModifiedAt: Date | null;
  lastError: string | null;
  /** Absent means none: every write states the error it leaves. */
  lastErrorCode?: string | null;
  synced: boolean;
  deletedAt: Date | null;
  zohoDeletedAt: Date | null;
}

export type PlanEntry =
  | { action: 'create'; zohoId: string; values: LeadValues }
  | {
      action: 'update' | 'link';
      leadId: number;
      zohoId: string;
      fields: Array<{ field: string; from: string | null; to: string | null }>;
    }
  | { action: 'conflict'; leadId: number; zohoId: string; field: string; local: string | null; remote: string | null }
  | { action: 'keep-local'; leadId: number; zohoId: string; field: string; policy: string }
  | { action: 'delete' | 'detach'; leadId: number; zohoId: string };

export interface ItemError {
  zohoId: string;
  code: string;
  message: string;
  leadId?: number;
}

export interface PageCounts {
  received: number;
  created: number;
  updated: number;
  linked: number;
  conflicts: number;
  unchanged: number;
  stale: number;
  skipped: number;
  errors: number;
}

/** What a page of Zoho leads does to ours: rows to insert and update, conflicts to open or close, the plan, errors. */
export interface LeadPagePlan {
  creates: Array<Omit<LeadWrite, 'id'>>;
  writes: LeadWrite[];
  conflicts: Array<LeadConflictFound & { leadId: number; remoteModifiedAt: Date }>;
  superseded: Array<{ leadId: number; field: string }>;
  plan: PlanEntry[];
  errors: ItemError[];
  counts: PageCounts;
}

/**
 * Decides, record by record, what a page of Zoho leads does to the local leads that share their Zoho ids or
 * emails. Pure: the caller loads `local` and `open` (under a lock) and writes the result. Ownership rules:
 * - a Zoho lead whose email a local lead without a Zoho id has is linked to it (a lost write-back);
 * - one whose email another local lead (not in `error`) holds is kept as a new lead in `error`, with the reason;
 * - a merge that would give a lead an email another lead holds puts it in `error`, with the reason.
 */
export function planLeadPage(
  local: LocalLead[],
  open: OpenConflict[],
  page: RemoteLead[],
  options: LeadSyncOptions,
): LeadPagePlan {
  const planner = new PagePlanner(local, open, options);
  for (const rec of latestPerId(page)) planner.add(rec);
  return planner.result;
}

/** A page can hold one record twice when it changed while being paged: the latest version counts. */
function latestPerId(page: RemoteLead[]): RemoteLead[] {
  const byId = new Map<string, RemoteLead>();
  for (const r of page) if ((byId.get(r.zohoId)?.modifiedAt ?? -1) <= r.modifiedAt) byId.set(r.zohoId, r);
  return [...byId.values()];
}

const zeroCounts = (): PageCounts => ({
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

class PagePlanner {
  readonly result: LeadPagePlan = {
    creates: [],
    writes: [],
    conflicts: [],
    superseded: [],
    plan: [],
    errors: [],
    counts: zeroCounts(),
  };
  private readonly byZoho = new Map<string, LocalLead>();
  private readonly byEmail = new Map<string, LocalLead>();
  private readonly open: Map<string, OpenConflict>;
  /** Emails this page gives to a lead (a create or a merge), with who takes it: a second taker is refused. */
  private readonly claimedEmails = new Map<string, string>();

  constructor(
    leads: LocalLead[],
    open: OpenConflict[],
    private readonly options: LeadSyncOptions,
  ) {
    this.open = new Map(open.map((c) => [`${c.leadId}:${c.field}`, c]));
    for (const l of leads) {
      if (l.zohoId) this.byZoho.set(l.zohoId, l);
      const email = l.values.email?.toLowerCase();
      // A lead in `error` may share its email with the lead that owns it; the owner counts.
      if (!l.deletedAt && email && (l.syncState !== 'error' || !this.byEmail.has(email))) this.byEmail.set(email, l);
    }
  }

  add(rec: RemoteLead): void {
    const counts = this.result.counts;
    counts.received += 1;
    const email = rec.values.email?.toLowerCase() ?? null;
    let lead = this.byZoho.get(rec.zohoId);
    let linking = false;
    if (!lead && email) {
      const holder = this.byEmail.get(email);
      if (holder && !holder.zohoId) {
        lead = holder;
        linking = true;
      }
    }
    if (!lead) return this.create(rec, email);
    if (lead.deletedAt) {
      counts.skipped += 1;
      return;
    }
    // The same record can come back in the overlap or from a page read before our own later write: older is stale.
    if (lead.remoteModifiedAt && rec.modifiedAt < lead.remoteModifiedAt.getTime()) {
      counts.stale += 1;
      return;
    }
    this.merge(lead, rec, linking);
  }

  private create(rec: RemoteLead, email: string | null): void {
    const clash = this.ownershipClash(email, undefined, `Zoho lead ${rec.zohoId}`);
    if (clash) this.fail(rec, clash);
    else if (email) this.claimedEmails.set(email, `Zoho lead ${rec.zohoId}`);
    this.result.creates.push({
      values: rec.values,
      zohoId: rec.zohoId,
      base: rec.values,
      syncState: clash ? 'error' : 'synced',
      remoteModifiedAt: new Date(rec.modifiedAt),
      lastError: clash ?? null,
      lastErrorCode: clash ? OWNERSHIP_CLASH : null,
      synced: true,
      deletedAt: null,
      zohoDeletedAt: null,
    });
    this.result.counts.created += 1;
    this.result.plan.push({ action: 'create', zohoId: rec.zohoId, values: rec.values });
  }

  private merge(lead: LocalLead, rec: RemoteLead, linking: boolean): void {
    const { counts, plan } = this.result;
    const merged = mergeLead({
      local: lead.values,
      base: linking ? null : lead.base,
      remote: rec.values,
      remoteModifiedAt: rec.modifiedAt,
      localChangedAt: lead.localChangedAt.getTime(),
      options: this.options,
    });
    const conflictFields = new Set(merged.conflicts.map((c) => c.field));
    const superseded = LEAD_FIELDS.filter((f) => this.open.has(`${lead.id}:${f}`) && !conflictFields.has(f)).map(
      (field) => ({ leadId: lead.id, field }),
    );
    this.result.superseded.push(...superseded);
    const changedConflicts = merged.conflicts.filter((c) => {
      const o = this.open.get(`${lead.id}:${c.field}`);
      return !o || !sameValue(o.local, c.local) || !sameValue(o.remote, c.remote);
    });
    this.result.conflicts.push(
      ...changedConflicts.map((c) => ({ ...c, leadId: lead.id, remoteModifiedAt: new Date(rec.modifiedAt) })),
    );
    counts.conflicts += changedConflicts.length;
    const keepError = lead.syncState === 'error' && merged.localUpdates.length === 0 && !linking;
    const email = merged.values.email?.toLowerCase() ?? null;
    const clash = keepError
      ? undefined
      : this.ownershipClash(email, lead, `Zoho lead ${rec.zohoId} (local lead ${lead.id})`);
    if (clash) this.fail(rec, clash, lead.id);
    else if (email && !keepError) this.claimedEmails.set(email, `local lead ${lead.id}`);
    const syncState =
      keepError || clash
        ? 'error'
        : leadStateOf(
            {
              values: merged.values,
              base: merged.base,
              zohoId: rec.zohoId,
              deleted: false,
              zohoDeleted: false,
              openConflicts: merged.conflicts.length,
            },
            this.options,
          );
    const baseChanged = !lead.base || LEAD_FIELDS.some((f) => !sameValue(lead.base?.[f], merged.base[f]));
    const zohoId = rec.zohoId;
    for (const d of merged.decisions)
      if (d.bothChanged && d.outcome === 'local')
        plan.push({ action: 'keep-local', leadId: lead.id, zohoId, field: d.field, policy: d.policy! });
    for (const c of changedConflicts)
      plan.push({ action: 'conflict', leadId: lead.id, zohoId, field: c.field, local: c.local, remote: c.remote });
    if (merged.localUpdates.length || linking) {
      plan.push({
        action: linking ? 'link' : 'update',
        leadId: lead.id,
        zohoId,
        fields: merged.localUpdates.map((f) => ({ field: f, from: lead.values[f], to: merged.values[f] })),
      });
    }
    if (
      !linking &&
      merged.localUpdates.length === 0 &&
      !baseChanged &&
      syncState === lead.syncState &&
      superseded.length === 0
    ) {
      counts.unchanged += 1;
      return;
    }
    if (linking) counts.linked += 1;
    else if (merged.localUpdates.length) counts.updated += 1;
    else counts.unchanged += 1;
    this.result.writes.push({
      id: lead.id,
      values: merged.values,
      zohoId,
      base: merged.base,
      syncState,
      remoteModifiedAt: new Date(Math.max(rec.modifiedAt, lead.remoteModifiedAt?.getTime() ?? 0)),
      lastError: clash ?? (keepError ? lead.lastError : null),
      lastErrorCode: clash ? OWNERSHIP_CLASH : keepError ? (lead.lastErrorCode ?? null) : null,
      synced: true,
      deletedAt: null,
      zohoDeletedAt: null,
    });
  }

  /**
   * Why `who` may not take `email`: another live lead (not in `error`) holds it, or an earlier record of this page
   * took it. Undefined when the email is free or already `self`'s.
   */
  private ownershipClash(email: string | null, self: LocalLead | undefined, who: string): string | undefined {
    if (!email) return undefined;
    const holder = this.byEmail.get(email);
    if (holder && holder.id !== self?.id && holder.syncState !== 'error') {
      const link = holder.zohoId ? `, which is linked to Zoho lead ${holder.zohoId}` : '';
      return `${who} has the email ${email} of local lead ${holder.id}${link}; merge the duplicates in Zoho or change one of the emails`;
    }
    const taker = this.claimedEmails.get(email);
    if (taker && taker !== `local lead ${self?.id}`)
      return `${who} has the email ${email}, which ${taker} also has in Zoho; merge the duplicates in Zoho or change one of the emails`;
    return undefined;
  }

  private fail(rec: RemoteLead, message: string, leadId?: number): void {
    this.result.counts.errors += 1;
    this.result.errors.push({ zohoId: rec.zohoId, code: OWNERSHIP_CLASH, message, ...(leadId ? { leadId } : {}) });
  }
}
