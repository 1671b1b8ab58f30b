import type { LeadWrite, LocalLead, OpenConflict, PlanEntry } from './lead-page-plan.js';
import type { LeadSyncOptions } from './lead-policy.js';

/** A lead Zoho reports deleted (its deleted-records list). */
export interface RemoteDeletion {
  zohoId: string;
  /** When Zoho deleted it, epoch ms. */
  deletedAt: number;
}

/** One of our leads, as the deletes need it: a page plan's lead, and whether a delete from Zoho was applied already. */
export interface DeletableLead extends LocalLead {
  zohoDeletedAt: Date | null;
}

export interface DeletesCounts {
  received: number;
  deleted: number;
  detached: number;
  unchanged: number;
}

/** What a page of Zoho's deletions does to ours: rows to write, open conflicts they close, the plan, the cursor. */
export interface RemoteDeletesPlan {
  writes: LeadWrite[];
  superseded: Array<{ leadId: number; field: string }>;
  plan: PlanEntry[];
  counts: DeletesCounts;
  /** The deletes stream's new position (the latest deletion), epoch ms; null for an empty page. */
  cursor: number | null;
}

/**
 * Decides what leads deleted in Zoho do to the local leads that hold their Zoho ids, by the connection's
 * `remoteDeletes` policy: `delete` deletes ours too (keeping an earlier local delete's time), `keep` keeps ours and
 * unlinks it, with what we hold as the agreed base, so only a later local edit creates it in Zoho again. Either way the
 * lead is `synced` and its open conflicts close, whatever it held (pending edits, conflicts, a local delete). A lead
 * whose Zoho delete was applied already, and a deletion no lead holds, change nothing. Pure: the caller loads `leads`
 * (those holding the deletions' Zoho ids, under a lock) and `open`, and writes the result.
 */
export function planRemoteDeletes(
  leads: DeletableLead[],
  open: Array<Pick<OpenConflict, 'leadId' | 'field'>>,
  deletions: RemoteDeletion[],
  options: Pick<LeadSyncOptions, 'remoteDeletes'>,
): RemoteDeletesPlan {
  const when = new Map(deletions.map((d) => [d.zohoId, d.deletedAt]));
  const counts: DeletesCounts = { received: deletions.length, deleted: 0, detached: 0, unchanged: 0 };
  const plan: PlanEntry[] = [];
  const writes: LeadWrite[] = [];
  let matched = 0;
  for (const lead of leads) {
    const deletedAt = lead.zohoId === null ? undefined : when.get(lead.zohoId);
    if (deletedAt === undefined) continue;
    matched += 1;
    if (lead.zohoDeletedAt) {
      counts.unchanged += 1;
      continue;
    }
    const at = new Date(deletedAt);
    const zohoId = lead.zohoId!;
    const common = {
      id: lead.id,
      values: lead.values,
      remoteModifiedAt: lead.remoteModifiedAt,
      lastError: null,
      synced: true,
      syncState: 'synced' as const,
    };
    if (options.remoteDeletes === 'delete') {
      writes.push({ ...common, zohoId, base: lead.base, deletedAt: lead.deletedAt ?? at, zohoDeletedAt: at });
      counts.deleted += 1;
      plan.push({ action: 'delete', leadId: lead.id, zohoId });
    } else {
      writes.push({ ...common, zohoId: null, base: lead.values, deletedAt: lead.deletedAt, zohoDeletedAt: at });
      counts.detached += 1;
      plan.push({ action: 'detach', leadId: lead.id, zohoId });
    }
  }
  counts.unchanged += deletions.length - matched;
  const written = new Set(writes.map((w) => w.id));
  return {
    writes,
    superseded: open.filter((c) => written.has(c.leadId)).map((c) => ({ leadId: c.leadId, field: c.field })),
    plan,
    counts,
    cursor: deletions.length ? Math.max(...deletions.map((d) => d.deletedAt)) : null,
  };
}
