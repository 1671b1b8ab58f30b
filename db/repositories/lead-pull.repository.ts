import type { EntityManager } from '@mikro-orm/postgresql';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import type { PlanEntry } from '../../domain/lead-page-plan.js';
import { openConflictsOf, supersedeConflicts } from './lead-conflicts.repository.js';
import { advanceCursor } from './lead-merge.repository.js';
import { type LeadWrite, lockLeads, valuesOf, writeLeads } from './lead-rows.js';

export interface RemoteDeletion {
  zohoId: string;
  deletedAt: number;
}

export interface DeletesOutcome {
  counts: { received: number; deleted: number; detached: number; unchanged: number };
  plan: PlanEntry[];
}

export const LEADS_STREAM = 'leads';
export const LEAD_DELETES_STREAM = 'leads:deleted';

/** The pull's deletes: leads deleted in Zoho, applied in one transaction with their own cursor. Dry runs write nothing. */
export class LeadPullRepository {
  constructor(private readonly em: EntityManager) {}

  /** Leads deleted in Zoho: ours are deleted too, or kept and unlinked, by the connection's policy. */
  async applyRemoteDeletes(
    connectionId: string,
    deleted: RemoteDeletion[],
    options: LeadSyncOptions,
    dryRun: boolean,
  ): Promise<DeletesOutcome> {
    return this.em.transactional(async (tx) => {
      const rows = await lockLeads(tx, connectionId, { zohoIds: deleted.map((d) => d.zohoId) });
      const when = new Map(deleted.map((d) => [d.zohoId, d.deletedAt]));
      const counts = { received: deleted.length, deleted: 0, detached: 0, unchanged: 0 };
      const plan: PlanEntry[] = [];
      const writes: LeadWrite[] = [];
      const open = await openConflictsOf(
        tx,
        rows.map((r) => r.id),
      );
      for (const row of rows) {
        if (row.zoho_deleted_at) {
          counts.unchanged += 1;
          continue;
        }
        const at = new Date(when.get(row.zoho_id!)!);
        const values = valuesOf(row);
        const common = {
          id: row.id,
          values,
          remoteModifiedAt: row.remote_modified_at,
          lastError: null,
          synced: true,
          syncState: 'synced' as const,
        };
        if (options.remoteDeletes === 'delete') {
          writes.push({
            ...common,
            zohoId: row.zoho_id,
            base: row.base,
            deletedAt: row.deleted_at ?? at,
            zohoDeletedAt: at,
          });
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
        await supersedeConflicts(
          tx,
          [...open.values()]
            .filter((c) => writes.some((w) => w.id === c.lead_id))
            .map((c) => ({ leadId: c.lead_id, field: c.field })),
        );
        if (deleted.length)
          await advanceCursor(tx, connectionId, LEAD_DELETES_STREAM, Math.max(...deleted.map((d) => d.deletedAt)));
      }
      return { counts, plan };
    });
  }
}
