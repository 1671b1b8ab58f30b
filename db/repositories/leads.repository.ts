import type { EntityManager } from '@mikro-orm/postgresql';
import { LEAD_FIELDS, type LeadField, type LeadValues } from '../../domain/lead-fields.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import { leadStateOf } from '../../domain/lead-state.js';
import { OWNERSHIP_ERROR_CODES } from '../../domain/lead-page-plan.js';
import type { LeadSyncState } from '../entities/index.js';
import {
  type ConflictRow,
  normaliseConflict,
  openConflictsOf,
  supersedeConflicts,
} from './lead-conflicts.repository.js';
import { COLUMN, type LeadRow, normaliseRow, valuesOf, writeLeads } from './lead-rows.js';
import { decodeIdCursor, encodeIdCursor } from './id-cursor.js';

export interface LeadFilter {
  connectionId?: string;
  syncState?: LeadSyncState;
  status?: string;
  q?: string;
  updatedSince?: Date;
  includeDeleted?: boolean;
}

/** Raised when a live lead of the connection already has the email (the partial unique index). */
export class DuplicateEmailError extends Error {
  constructor(email: string | null) {
    super(`a lead with the email ${email ?? ''} already exists`);
    this.name = 'DuplicateEmailError';
  }
}

/** What the API and CLI do to leads: plain CRUD plus conflict resolution; every write recomputes the sync state. */
export class LeadsRepository {
  constructor(private readonly em: EntityManager) {}

  async create(connectionId: string, values: LeadValues): Promise<LeadRow> {
    const cols = LEAD_FIELDS.map((f) => COLUMN[f]);
    return duplicateAware(values.email, async () => {
      const [row] = await this.em.getConnection().execute<LeadRow[]>(
        `insert into leads (connection_id, ${cols.join(', ')}, sync_state, local_changed_at, created_at, updated_at)
         values (?, ${cols.map(() => '?').join(', ')}, 'pending', now(), now(), now()) returning *`,
        [connectionId, ...LEAD_FIELDS.map((f) => (f === 'lastName' ? (values[f] ?? '') : values[f]))],
      );
      return normaliseRow(row!);
    });
  }

  async get(id: number): Promise<LeadRow | undefined> {
    const [row] = await this.em.getConnection().execute<LeadRow[]>('select * from leads where id = ?', [id]);
    return row ? normaliseRow(row) : undefined;
  }

  /** Oldest first by id; the cursor is the last id of the page. */
  async list(
    filter: LeadFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ items: LeadRow[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.connectionId) add('connection_id = ?', filter.connectionId);
    if (filter.syncState) add('sync_state = ?', filter.syncState);
    if (filter.status) add('status = ?', filter.status);
    if (filter.updatedSince) add('updated_at >= ?', filter.updatedSince);
    if (filter.q)
      add(
        `lower(coalesce(first_name, '') || ' ' || last_name || ' ' || coalesce(email, '') || ' ' || coalesce(company, '')) like ? escape '\\'`,
        `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      );
    if (!filter.includeDeleted) add('deleted_at is null');
    if (cursor) add('id > ?', decodeIdCursor('lead', cursor));
    const rows = await this.em
      .getConnection()
      .execute<LeadRow[]>(
        `select * from leads ${where.length ? `where ${where.join(' and ')}` : ''} order by id limit ${limit + 1}`,
        params,
      );
    const items = rows.slice(0, limit).map(normaliseRow);
    return { items, nextCursor: rows.length > limit ? encodeIdCursor('lead', items.at(-1)!.id) : null };
  }

  /** Applies a local edit; returns the row after it, or undefined when the lead does not exist. */
  async update(id: number, patch: Partial<LeadValues>, options: LeadSyncOptions): Promise<LeadRow | undefined> {
    return this.edit(id, options, (row, values) => {
      const changed = (Object.keys(patch) as LeadField[]).filter((f) => patch[f] !== values[f]);
      for (const f of changed) values[f] = patch[f] ?? null;
      return changed;
    });
  }

  async remove(id: number, options: LeadSyncOptions): Promise<LeadRow | undefined> {
    return this.em.transactional(async (tx) => {
      const row = await lockOne(tx, id);
      if (!row || row.deleted_at) return row;
      const open = await openConflictsOf(tx, [id]);
      await supersedeConflicts(
        tx,
        [...open.values()].map((c) => ({ leadId: id, field: c.field })),
      );
      const values = valuesOf(row);
      const syncState = leadStateOf(
        {
          values,
          base: row.base,
          zohoId: row.zoho_id,
          deleted: true,
          zohoDeleted: !!row.zoho_deleted_at,
          openConflicts: 0,
        },
        options,
      );
      await writeLeads(tx, [{ ...asWrite(row), syncState, deletedAt: new Date() }]);
      return lockOne(tx, id);
    });
  }

  /** Makes an errored lead pending again, for a manual push. */
  async retry(id: number): Promise<void> {
    await this.em
      .getConnection()
      .execute("update leads set sync_state = 'pending', updated_at = now() where id = ? and sync_state = 'error'", [
        id,
      ]);
  }

  async openConflicts(leadIds: number[]): Promise<ConflictRow[]> {
    return [...(await openConflictsOf(this.em, leadIds)).values()];
  }

  /**
   * What waits for a person, field conflicts first (oldest first), then leads in `error` after an ownership clash
   * (a Zoho id or an email another local lead holds). The cursor says which of the two lists it continues.
   */
  async listConflicts(
    connectionId: string | undefined,
    limit: number,
    cursor?: string,
  ): Promise<{ items: ConflictListItem[]; nextCursor: string | null }> {
    const ownershipFrom = cursor ? ownershipCursor(cursor) : undefined;
    const items: ConflictListItem[] = [];
    let fieldsLeft = false;
    if (ownershipFrom === undefined) {
      const rows = await this.em.getConnection().execute<ConflictRow[]>(
        `select c.* from lead_conflicts c join leads l on l.id = c.lead_id
          where c.resolved_at is null ${connectionId ? 'and l.connection_id = ?' : ''} ${cursor ? 'and c.id > ?' : ''}
          order by c.id limit ${limit + 1}`,
        [...(connectionId ? [connectionId] : []), ...(cursor ? [decodeIdCursor('conflict', cursor)] : [])],
      );
      fieldsLeft = rows.length > limit;
      items.push(...rows.slice(0, limit).map((r) => ({ kind: 'field' as const, conflict: normaliseConflict(r) })));
    }
    if (fieldsLeft) return { items, nextCursor: encodeIdCursor('conflict', lastId(items)) };
    const room = limit - items.length;
    const leads = await this.em.getConnection().execute<LeadRow[]>(
      `select * from leads where sync_state = 'error' and deleted_at is null and last_error_code in (${OWNERSHIP_ERROR_CODES.map(() => '?').join(', ')})
        ${connectionId ? 'and connection_id = ?' : ''} and id > ? order by id limit ${room + 1}`,
      [...OWNERSHIP_ERROR_CODES, ...(connectionId ? [connectionId] : []), ownershipFrom ?? 0],
    );
    const owned = leads.slice(0, room).map((r) => ({ kind: 'ownership' as const, lead: normaliseRow(r) }));
    items.push(...owned);
    const more = leads.length > room;
    return {
      items,
      nextCursor:
        more && owned.length
          ? encodeIdCursor('ownership', owned.at(-1)!.lead.id)
          : more
            ? encodeIdCursor('ownership', ownershipFrom ?? 0)
            : null,
    };
  }

  /**
   * Settles one open conflict: the lead takes the chosen value and the base takes Zoho's, so a value other than
   * Zoho's is pushed. Returns undefined when there is no open conflict on that field.
   */
  async resolve(
    id: number,
    field: LeadField,
    take: 'local' | 'crm' | 'value',
    value: string | null,
    options: LeadSyncOptions,
  ): Promise<LeadRow | undefined> {
    return this.em.transactional(async (tx) => {
      const row = await lockOne(tx, id);
      const open = row ? await openConflictsOf(tx, [id]) : new Map<string, ConflictRow>();
      const conflict = open.get(`${id}:${field}`);
      if (!row || !conflict) return undefined;
      const values = valuesOf(row);
      const chosen = take === 'local' ? values[field] : take === 'crm' ? conflict.remote_value : value;
      values[field] = chosen;
      const base = { ...(row.base ?? {}), [field]: conflict.remote_value };
      await tx
        .getConnection()
        .execute(
          'update lead_conflicts set resolved_at = now(), resolution = ?, resolved_value = ? where id = ?',
          [take, chosen, conflict.id],
          'run',
          tx.getTransactionContext(),
        );
      const syncState = leadStateOf(
        {
          values,
          base,
          zohoId: row.zoho_id,
          deleted: !!row.deleted_at,
          zohoDeleted: !!row.zoho_deleted_at,
          openConflicts: open.size - 1,
        },
        options,
      );
      await duplicateAware(values.email, () => writeLeads(tx, [{ ...asWrite(row), values, base, syncState }]));
      if (take !== 'crm') await touchLocal(tx, id);
      return lockOne(tx, id);
    });
  }

  private async edit(
    id: number,
    options: LeadSyncOptions,
    apply: (row: LeadRow, values: LeadValues) => LeadField[],
  ): Promise<LeadRow | undefined> {
    return this.em.transactional(async (tx) => {
      const row = await lockOne(tx, id);
      if (!row || row.deleted_at) return row;
      const values = valuesOf(row);
      const changed = apply(row, values);
      if (changed.length === 0) return row;
      const open = await openConflictsOf(tx, [id]);
      const syncState = leadStateOf(
        {
          values,
          base: row.base,
          zohoId: row.zoho_id,
          deleted: false,
          zohoDeleted: !!row.zoho_deleted_at,
          openConflicts: open.size,
        },
        options,
      );
      await duplicateAware(values.email, () =>
        writeLeads(tx, [
          {
            ...asWrite(row),
            values,
            syncState,
            lastError: syncState === 'pending' ? null : row.last_error,
            lastErrorCode: syncState === 'pending' ? null : row.last_error_code,
          },
        ]),
      );
      // Open conflicts show the local value as it is now.
      for (const f of changed) {
        if (open.has(`${id}:${f}`))
          await tx
            .getConnection()
            .execute(
              'update lead_conflicts set local_value = ? where lead_id = ? and field = ? and resolved_at is null',
              [values[f], id, f],
              'run',
              tx.getTransactionContext(),
            );
      }
      await touchLocal(tx, id);
      return lockOne(tx, id);
    });
  }
}

async function lockOne(em: EntityManager, id: number): Promise<LeadRow | undefined> {
  const [row] = await em
    .getConnection()
    .execute<LeadRow[]>('select * from leads where id = ? for update', [id], 'all', em.getTransactionContext());
  return row ? normaliseRow(row) : undefined;
}

async function touchLocal(em: EntityManager, id: number): Promise<void> {
  await em
    .getConnection()
    .execute('update leads set local_changed_at = now() where id = ?', [id], 'run', em.getTransactionContext());
}

function asWrite(row: LeadRow) {
  return {
    id: row.id,
    values: valuesOf(row),
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
}

async function duplicateAware<T>(email: string | null, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { code?: string; constraint?: string; message?: string };
    if (
      e.code === '23505' &&
      (e.constraint === 'leads_connection_email_unique' || e.message?.includes('leads_connection_email_unique'))
    )
      throw new DuplicateEmailError(email);
    throw err;
  }
}

export type ConflictListItem = { kind: 'field'; conflict: ConflictRow } | { kind: 'ownership'; lead: LeadRow };

const lastId = (items: ConflictListItem[]) => {
  const last = items.at(-1)!;
  return last.kind === 'field' ? last.conflict.id : last.lead.id;
};

/** The lead id an ownership-list cursor continues after; undefined for a field-conflict cursor. */
function ownershipCursor(cursor: string): number | undefined {
  try {
    return decodeIdCursor('ownership', cursor);
  } catch {
    return undefined;
  }
}
