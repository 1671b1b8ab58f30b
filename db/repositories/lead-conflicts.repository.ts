import type { EntityManager } from '@mikro-orm/postgresql';
import type { LeadConflictFound } from '../../domain/lead-merge.js';
import { date } from './lead-rows.js';

export interface ConflictRow {
  id: number;
  lead_id: number;
  field: string;
  local_value: string | null;
  remote_value: string | null;
  base_value: string | null;
  remote_modified_at: Date | null;
  detected_at: Date;
  resolved_at: Date | null;
  resolution: string | null;
  resolved_value: string | null;
}

/** Raw queries hand back bigint ids and timestamps as strings. */
export const normaliseConflict = (r: ConflictRow): ConflictRow => ({
  ...r,
  id: Number(r.id),
  lead_id: Number(r.lead_id),
  remote_modified_at: date(r.remote_modified_at),
  detected_at: date(r.detected_at)!,
  resolved_at: date(r.resolved_at),
});

/** Open conflicts of the given leads, keyed `leadId:field`. */
export async function openConflictsOf(em: EntityManager, leadIds: number[]): Promise<Map<string, ConflictRow>> {
  if (leadIds.length === 0) return new Map();
  const rows = await em
    .getConnection()
    .execute<ConflictRow[]>(
      'select * from lead_conflicts where resolved_at is null and lead_id in (select jsonb_array_elements_text(?::jsonb)::bigint)',
      [JSON.stringify(leadIds)],
      'all',
      em.getTransactionContext(),
    );
  return new Map(rows.map(normaliseConflict).map((r) => [`${r.lead_id}:${r.field}`, r]));
}

/** Opens or refreshes a conflict per (lead, field): one open row each, whatever how often a pull finds it. */
export async function upsertConflicts(
  em: EntityManager,
  found: Array<LeadConflictFound & { leadId: number; remoteModifiedAt: Date }>,
): Promise<void> {
  if (found.length === 0) return;
  await em.getConnection().execute(
    `insert into lead_conflicts (lead_id, field, local_value, remote_value, base_value, remote_modified_at, detected_at)
     select x.lead_id, x.field, x.local_value, x.remote_value, x.base_value, x.remote_modified_at, now()
       from jsonb_to_recordset(?::jsonb) as x(lead_id bigint, field text, local_value text, remote_value text, base_value text, remote_modified_at timestamptz)
     on conflict (lead_id, field) where resolved_at is null
     do update set local_value = excluded.local_value, remote_value = excluded.remote_value, base_value = excluded.base_value, remote_modified_at = excluded.remote_modified_at`,
    [
      JSON.stringify(
        found.map((c) => ({
          lead_id: c.leadId,
          field: c.field,
          local_value: c.local,
          remote_value: c.remote,
          base_value: c.base,
          remote_modified_at: c.remoteModifiedAt.toISOString(),
        })),
      ),
    ],
    'run',
    em.getTransactionContext(),
  );
}

/** Closes open conflicts that a later merge settled (the sides agree again, or one side went back to the base). */
export async function supersedeConflicts(
  em: EntityManager,
  keys: Array<{ leadId: number; field: string }>,
): Promise<void> {
  if (keys.length === 0) return;
  await em.getConnection().execute(
    `update lead_conflicts c set resolved_at = now(), resolution = 'superseded'
       from jsonb_to_recordset(?::jsonb) as x(lead_id bigint, field text)
      where c.resolved_at is null and c.lead_id = x.lead_id and c.field = x.field`,
    [JSON.stringify(keys.map((k) => ({ lead_id: k.leadId, field: k.field })))],
    'run',
    em.getTransactionContext(),
  );
}
