import type { EntityManager } from '@mikro-orm/postgresql';
import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import { LEAD_FIELDS, type LeadField, type LeadValues, norm } from '../../domain/lead-fields.js';
import type { LeadWrite, LocalLead } from '../../domain/lead-page-plan.js';
import type { LeadSyncState } from '../../domain/lead-state.js';

/** A `leads` row as raw SQL returns it. */
export interface LeadRow {
  id: number;
  connection_id: string;
  first_name: string | null;
  last_name: string;
  email: string | null;
  phone: string | null;
  company: string | null;
  status: string | null;
  source: string | null;
  zoho_id: string | null;
  remote_modified_at: Date | null;
  base: Partial<LeadValues> | null;
  sync_state: LeadSyncState;
  last_error: string | null;
  last_error_code: string | null;
  last_synced_at: Date | null;
  local_changed_at: Date;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
  zoho_deleted_at: Date | null;
}

export const COLUMN: Record<LeadField, keyof LeadRow & string> = {
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  phone: 'phone',
  company: 'company',
  status: 'status',
  source: 'source',
};

export function valuesOf(row: LeadRow): LeadValues {
  return Object.fromEntries(LEAD_FIELDS.map((f) => [f, norm(row[COLUMN[f]])])) as LeadValues;
}

/** Raw queries hand back timestamps as strings. */
export const date = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/** Raw queries hand back bigint ids and timestamps as strings. */
export function normaliseRow(row: LeadRow): LeadRow {
  return {
    ...row,
    id: Number(row.id),
    remote_modified_at: date(row.remote_modified_at),
    last_synced_at: date(row.last_synced_at),
    local_changed_at: date(row.local_changed_at)!,
    created_at: date(row.created_at)!,
    updated_at: date(row.updated_at)!,
    deleted_at: date(row.deleted_at),
    zoho_deleted_at: date(row.zoho_deleted_at),
  };
}

/**
 * Runs SQL with real bind parameters (`$1`…) on the EntityManager's transaction or pool. The pull's statements carry
 * a page as one JSON parameter; MikroORM's `execute` would first escape it into the SQL text, which costs the
 * worker more time than Postgres spends on the statement.
 */
export async function pgQuery<T>(em: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const db = (em.getTransactionContext<Transaction<unknown>>() ?? em.getConnection().getClient()) as Kysely<unknown>;
  return (await db.executeQuery<T>(CompiledQuery.raw(sql, params))).rows;
}

export type { LeadWrite } from '../../domain/lead-page-plan.js';

/** A row as the domain's page plan sees it. */
export function toLocalLead(row: LeadRow): LocalLead {
  return {
    id: row.id,
    zohoId: row.zoho_id,
    values: valuesOf(row),
    base: row.base,
    syncState: row.sync_state,
    lastError: row.last_error,
    lastErrorCode: row.last_error_code,
    remoteModifiedAt: row.remote_modified_at,
    localChangedAt: row.local_changed_at,
    deletedAt: row.deleted_at,
  };
}

const RECORD_COLUMNS = `id bigint, first_name text, last_name text, email text, phone text, company text, status text, source text,
  zoho_id text, base jsonb, sync_state text, remote_modified_at timestamptz, last_error text, last_error_code text, synced boolean, deleted_at timestamptz, zoho_deleted_at timestamptz`;

function toRecord(w: LeadWrite) {
  return {
    id: w.id,
    first_name: w.values.firstName,
    last_name: w.values.lastName ?? '',
    email: w.values.email,
    phone: w.values.phone,
    company: w.values.company,
    status: w.values.status,
    source: w.values.source,
    zoho_id: w.zohoId,
    base: w.base,
    sync_state: w.syncState,
    remote_modified_at: w.remoteModifiedAt?.toISOString() ?? null,
    last_error: w.lastError,
    last_error_code: w.lastError === null ? null : (w.lastErrorCode ?? null),
    synced: w.synced,
    deleted_at: w.deletedAt?.toISOString() ?? null,
    zoho_deleted_at: w.zohoDeletedAt?.toISOString() ?? null,
  };
}

/** One statement for a whole page of lead updates: the rows travel as one JSON parameter. */
export async function writeLeads(em: EntityManager, writes: LeadWrite[]): Promise<void> {
  if (writes.length === 0) return;
  await pgQuery(
    em,
    `update leads l set first_name = x.first_name, last_name = x.last_name, email = x.email, phone = x.phone, company = x.company,
        status = x.status, source = x.source, zoho_id = x.zoho_id, base = x.base, sync_state = x.sync_state,
        remote_modified_at = x.remote_modified_at, last_error = x.last_error, last_error_code = x.last_error_code, deleted_at = x.deleted_at, zoho_deleted_at = x.zoho_deleted_at,
        last_synced_at = case when x.synced then now() else l.last_synced_at end, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as x(${RECORD_COLUMNS})
      where l.id = x.id`,
    [JSON.stringify(writes.map(toRecord))],
  );
}

/** New local leads from Zoho records; a lead that already exists (same Zoho id or live email) is left alone. */
export async function insertLeads(
  em: EntityManager,
  connectionId: string,
  writes: Array<Omit<LeadWrite, 'id'>>,
): Promise<string[]> {
  if (writes.length === 0) return [];
  const rows = await pgQuery<{ zoho_id: string }>(
    em,
    `insert into leads (connection_id, first_name, last_name, email, phone, company, status, source, zoho_id, base, sync_state,
        remote_modified_at, last_error, last_error_code, last_synced_at, local_changed_at, created_at, updated_at)
     select $1, x.first_name, x.last_name, x.email, x.phone, x.company, x.status, x.source, x.zoho_id, x.base, x.sync_state,
        x.remote_modified_at, x.last_error, x.last_error_code, now(), now(), now(), now()
       from jsonb_to_recordset($2::jsonb) as x(${RECORD_COLUMNS})
     on conflict do nothing
     returning zoho_id`,
    [connectionId, JSON.stringify(writes.map((w) => toRecord({ ...w, id: 0 })))],
  );
  return rows.map((r) => r.zoho_id);
}

/** Locks and reads leads by id, Zoho id or live email (lower-cased), for a merge or a push result. */
export async function lockLeads(
  em: EntityManager,
  connectionId: string,
  keys: { ids?: number[]; zohoIds?: string[]; emails?: string[] },
): Promise<LeadRow[]> {
  const rows = await pgQuery<LeadRow>(
    em,
    // One index lookup per kind of key, unioned; `= any(array(...))` keeps each an index condition even when the
    // table's statistics are stale (during a first pull), where `in (subquery)` or an OR scans the table. Emails are
    // looked up twice because the email index leaves leads in `error` out: each half matches one index's predicate.
    `select * from leads where id = any(array(
        select id from leads where id = any(array(select jsonb_array_elements_text($2::jsonb)::bigint)) and connection_id = $1
        union select id from leads where connection_id = $1 and zoho_id = any(array(select jsonb_array_elements_text($3::jsonb)))
        union select id from leads where connection_id = $1 and deleted_at is null and email is not null and sync_state <> 'error'
          and lower(email) = any(array(select jsonb_array_elements_text($4::jsonb)))
        union select id from leads where connection_id = $1 and deleted_at is null and email is not null and sync_state = 'error'
          and lower(email) = any(array(select jsonb_array_elements_text($4::jsonb)))))
      order by id
      for update`,
    [
      connectionId,
      JSON.stringify(keys.ids ?? []),
      JSON.stringify(keys.zohoIds ?? []),
      JSON.stringify(keys.emails ?? []),
    ],
  );
  return rows.map(normaliseRow);
}

/** Puts leads in `error` with a reason a person can act on; their values stay as they are. */
export async function markLeadErrors(
  em: EntityManager,
  errors: Array<{ id: number; message: string; code?: string }>,
): Promise<void> {
  if (errors.length === 0) return;
  await pgQuery(
    em,
    `update leads l set sync_state = 'error', last_error = x.message, last_error_code = x.code, updated_at = now()
       from jsonb_to_recordset($1::jsonb) as x(id bigint, message text, code text)
      where l.id = x.id`,
    [JSON.stringify(errors)],
  );
}
