import type { EntityManager } from '@mikro-orm/postgresql';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import type { PlanEntry } from '../../domain/lead-page-plan.js';
import { type DeletesCounts, planRemoteDeletes, type RemoteDeletion } from '../../domain/lead-remote-deletes.js';
import { openConflictsOf, supersedeConflicts } from './lead-conflicts.repository.js';
import { advanceCursor } from './lead-merge.repository.js';
import { lockLeads, toLocalLead, writeLeads } from './lead-rows.js';

export type { RemoteDeletion } from '../../domain/lead-remote-deletes.js';

export interface DeletesOutcome {
  counts: DeletesCounts;
  plan: PlanEntry[];
}

export const LEADS_STREAM = 'leads';
export const LEAD_DELETES_STREAM = 'leads:deleted';

/** The pull's deletes: leads deleted in Zoho, applied in one transaction with their own cursor. Dry runs write nothing. */
export class LeadPullRepository {
  constructor(private readonly em: EntityManager) {}

  /** Leads deleted in Zoho: ours are deleted too, or kept and unlinked, by the connection's policy (planRemoteDeletes). */
  async applyRemoteDeletes(
    connectionId: string,
    deleted: RemoteDeletion[],
    options: LeadSyncOptions,
    dryRun: boolean,
  ): Promise<DeletesOutcome> {
    return this.em.transactional(async (tx) => {
      const rows = await lockLeads(tx, connectionId, { zohoIds: deleted.map((d) => d.zohoId) });
      const open = await openConflictsOf(
        tx,
        rows.map((r) => r.id),
      );
      const { writes, superseded, plan, counts, cursor } = planRemoteDeletes(
        rows.map((r) => ({ ...toLocalLead(r), zohoDeletedAt: r.zoho_deleted_at })),
        [...open.values()].map((c) => ({ leadId: c.lead_id, field: c.field })),
        deleted,
        options,
      );
      if (!dryRun) {
        await writeLeads(tx, writes);
        await supersedeConflicts(tx, superseded);
        if (cursor !== null) await advanceCursor(tx, connectionId, LEAD_DELETES_STREAM, cursor);
      }
      return { counts, plan };
    });
  }
}
