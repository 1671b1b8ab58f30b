import type { EntityManager } from '@mikro-orm/postgresql';
import { LEAD_FIELDS, type LeadValues } from '../../domain/lead-fields.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import { leadStateOf } from '../../domain/lead-state.js';
import { ZOHO_ID_TAKEN } from '../../domain/lead-page-plan.js';
import {
  type LeadRow,
  type LeadWrite,
  lockLeads,
  markLeadErrors,
  normaliseRow,
  valuesOf,
  writeLeads,
} from './lead-rows.js';
import { writeEachOnRefusal } from './record-refusals.js';

export type PushOutcome =
  /** Zoho holds `sent` now; `complete` when every field was sent (a create), so the base is exactly `sent`. */
  | {
      leadId: number;
      kind: 'written';
      sent: Partial<LeadValues>;
      complete: boolean;
      zohoId: string;
      modifiedAt: number | null;
    }
  | { leadId: number; kind: 'failed'; code: string; message: string }
  /** Deleted in Zoho, or nothing to do there (local delete with policy `ignore`). */
  | { leadId: number; kind: 'deleted' };

/** The push side of the lead sync: what is waiting, and recording what Zoho answered. */
export class LeadPushRepository {
  constructor(private readonly em: EntityManager) {}

  /** Pending leads after `afterId`, oldest id first; a pass walks the table once, so it always ends. */
  async pendingBatch(connectionId: string, limit: number, afterId: number, leadIds?: number[]): Promise<LeadRow[]> {
    const rows = await this.em.getConnection().execute<LeadRow[]>(
      `select * from leads where connection_id = ? and sync_state = 'pending' and id > ?
         ${leadIds?.length ? 'and id in (select jsonb_array_elements_text(?::jsonb)::bigint)' : ''}
       order by id limit ?`,
      [connectionId, afterId, ...(leadIds?.length ? [JSON.stringify(leadIds)] : []), limit],
    );
    return rows.map(normaliseRow);
  }

  async pendingCount(connectionId: string): Promise<number> {
    const [row] = await this.em
      .getConnection()
      .execute<Array<{ n: string }>>(
        "select count(*) as n from leads where connection_id = ? and sync_state = 'pending'",
        [connectionId],
      );
    return Number(row?.n ?? 0);
  }

  /**
   * Records Zoho's answers under a row lock. The new base is what was sent, merged into the old one; the state is
   * derived from the row as it is now, so an edit made while the push was in flight stays pending. An answer that
   * would link a lead to a Zoho id another local lead holds, or that our tables refuse, puts only that lead in
   * `error` with the reason; the returned outcomes say so.
   */
  async record(connectionId: string, outcomes: PushOutcome[], options: LeadSyncOptions): Promise<PushOutcome[]> {
    if (outcomes.length === 0) return [];
    return this.em.transactional(async (tx) => {
      const zohoIds = outcomes.flatMap((o) => (o.kind === 'written' ? [o.zohoId] : []));
      const locked = await lockLeads(tx, connectionId, { ids: outcomes.map((o) => o.leadId), zohoIds });
      const rows = new Map(locked.map((r) => [r.id, r]));
      const owners = new Map(locked.flatMap((r) => (r.zoho_id ? [[r.zoho_id, r.id] as const] : [])));
      const recorded = outcomes.map((o) => {
        if (o.kind !== 'written') return o;
        const owner = owners.get(o.zohoId);
        if (owner !== undefined && owner !== o.leadId) return takenId(o.leadId, o.zohoId, owner);
        owners.set(o.zohoId, o.leadId);
        return o;
      });
      const writes = recorded.flatMap((o) => {
        const row = rows.get(o.leadId);
        return row ? [writeFor(row, o, options)] : [];
      });
      const refused = await writeEachOnRefusal(tx, writes, (batch) => writeLeads(tx, batch));
      const reasons = new Map(refused.map((r) => [r.item.id, `our database refused Zoho's answer: ${r.message}`]));
      await markLeadErrors(
        tx,
        [...reasons].map(([id, message]) => ({ id, message, code: 'REFUSED_BY_DATABASE' })),
      );
      return recorded.map((o) => {
        const reason = reasons.get(o.leadId);
        return reason ? { leadId: o.leadId, kind: 'failed' as const, code: 'REFUSED_BY_DATABASE', message: reason } : o;
      });
    });
  }
}

/** Zoho matched this lead to a record another local lead is linked to (same email, or merged in Zoho). */
function takenId(leadId: number, zohoId: string, owner: number): PushOutcome {
  return {
    leadId,
    kind: 'failed',
    code: ZOHO_ID_TAKEN,
    message: `Zoho lead ${zohoId} is already linked to local lead ${owner}; if both are one person, delete one of the two local leads, otherwise change this lead's email and push it again`,
  };
}

function writeFor(row: LeadRow, o: PushOutcome, options: LeadSyncOptions): LeadWrite {
  const values = valuesOf(row);
  const current = {
    id: row.id,
    values,
    zohoId: row.zoho_id,
    base: row.base,
    syncState: row.sync_state,
    remoteModifiedAt: row.remote_modified_at,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    synced: false,
    deletedAt: row.deleted_at,
    zohoDeletedAt: row.zoho_deleted_at,
  };
  if (o.kind === 'failed')
    return {
      ...current,
      syncState: 'error',
      lastError: o.code === ZOHO_ID_TAKEN ? o.message : `${o.code}: ${o.message}`,
      lastErrorCode: o.code,
    };
  if (o.kind === 'deleted')
    return {
      ...current,
      syncState: 'synced',
      lastError: null,
      synced: true,
      zohoDeletedAt: row.deleted_at ? new Date() : row.zoho_deleted_at,
    };
  const base = o.complete
    ? (Object.fromEntries(LEAD_FIELDS.map((f) => [f, o.sent[f] ?? null])) as LeadValues)
    : { ...(row.base ?? {}), ...o.sent };
  const remoteModifiedAt =
    o.modifiedAt === null
      ? row.remote_modified_at
      : new Date(Math.max(o.modifiedAt, row.remote_modified_at?.getTime() ?? 0));
  const syncState = leadStateOf(
    {
      values,
      base,
      zohoId: o.zohoId,
      deleted: !!row.deleted_at,
      zohoDeleted: !!row.zoho_deleted_at,
      openConflicts: row.sync_state === 'conflict' ? 1 : 0,
    },
    options,
  );
  return { ...current, zohoId: o.zohoId, base, remoteModifiedAt, syncState, lastError: null, synced: true };
}
