import type { EntityManager } from '@mikro-orm/postgresql';
import { LEAD_FIELD_RULES } from '../domain/lead-field-rules.js';
import { type LeadField, type LeadValues, norm, pickValues } from '../domain/lead-fields.js';
import { type LeadSyncOptions, leadSyncOptions } from '../domain/lead-policy.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import type { ConflictRow } from '../db/repositories/lead-conflicts.repository.js';
import type { LeadRow } from '../db/repositories/lead-rows.js';
import { DuplicateEmailError, type LeadFilter, LeadsRepository } from '../db/repositories/leads.repository.js';
import { Conflict, InvalidFields, NotFound } from './errors.js';
import type { StartedSync, SyncsService } from './syncs.service.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export interface ConflictView {
  id: number;
  leadId: number;
  field: string;
  localValue: string | null;
  remoteValue: string | null;
  baseValue: string | null;
  remoteModifiedAt: string | null;
  detectedAt: string;
}

export function leadView(r: LeadRow, conflicts?: ConflictRow[]) {
  return {
    id: r.id,
    connectionId: r.connection_id,
    firstName: r.first_name,
    lastName: r.last_name,
    email: r.email,
    phone: r.phone,
    company: r.company,
    status: r.status,
    source: r.source,
    zohoId: r.zoho_id,
    syncState: r.sync_state,
    lastError: r.last_error,
    remoteModifiedAt: iso(r.remote_modified_at),
    lastSyncedAt: iso(r.last_synced_at),
    createdAt: iso(r.created_at)!,
    updatedAt: iso(r.updated_at)!,
    deletedAt: iso(r.deleted_at),
    ...(conflicts ? { conflicts: conflicts.map(conflictView) } : {}),
  };
}
export type LeadView = ReturnType<typeof leadView>;

export function conflictView(c: ConflictRow): ConflictView {
  return {
    id: c.id,
    leadId: c.lead_id,
    field: c.field,
    localValue: c.local_value,
    remoteValue: c.remote_value,
    baseValue: c.base_value,
    remoteModifiedAt: iso(c.remote_modified_at),
    detectedAt: iso(c.detected_at)!,
  };
}

/** A lead held in `error` because another local lead owns its Zoho id or email. */
export function ownershipView(r: LeadRow) {
  return {
    kind: 'ownership' as const,
    leadId: r.id,
    connectionId: r.connection_id,
    email: r.email,
    zohoId: r.zoho_id,
    code: r.last_error_code ?? '',
    reason: r.last_error ?? '',
    detectedAt: iso(r.updated_at)!,
  };
}

/**
 * Local leads for the API and CLI. Every change commits first, then asks the connection's push to run; if
 * Temporal cannot be reached the lead stays pending and the scheduled pull's safety net pushes it later.
 */
export class LeadsService {
  constructor(
    private readonly em: () => EntityManager,
    private readonly syncs: SyncsService,
    private readonly log: (msg: string) => void = () => {},
  ) {}

  async create(input: Partial<LeadValues> & { lastName: string; connectionId?: string }): Promise<LeadView> {
    const connectionId = await this.syncs.leadConnection(input.connectionId);
    const row = await this.guard(() => this.repo().create(connectionId, pickValues(input)));
    await this.kick(connectionId);
    return leadView(row);
  }

  async list(filter: LeadFilter, limit: number, cursor?: string) {
    const page = await this.repo().list(filter, limit, cursor);
    return { items: page.items.map((r) => leadView(r)), nextCursor: page.nextCursor };
  }

  async get(id: number): Promise<LeadView> {
    const repo = this.repo();
    const row = await repo.get(id);
    if (!row) throw new NotFound('lead', String(id));
    return leadView(row, await repo.openConflicts([id]));
  }

  async update(id: number, patch: Partial<LeadValues>): Promise<LeadView> {
    const row = await this.guard(async () => this.repo().update(id, patch, await this.optionsOfLead(id)));
    if (!row) throw new NotFound('lead', String(id));
    if (row.deleted_at) throw new Conflict(`lead ${id} is deleted`);
    if (row.sync_state === 'pending') await this.kick(row.connection_id);
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    const row = await this.repo().remove(id, await this.optionsOfLead(id));
    if (!row) throw new NotFound('lead', String(id));
    if (row.sync_state === 'pending') await this.kick(row.connection_id);
  }

  /** Pushes one lead now: an errored lead is retried; a lead with open conflicts must be resolved first. */
  async push(id: number): Promise<StartedSync> {
    const repo = this.repo();
    const row = await repo.get(id);
    if (!row) throw new NotFound('lead', String(id));
    if (row.sync_state === 'conflict') throw new Conflict(`lead ${id} has open conflicts; resolve them first`);
    await repo.retry(id);
    return this.syncs.kickLeadPush(row.connection_id);
  }

  /** Field conflicts to resolve, then leads an ownership clash holds in `error` (see the README's ownership rules). */
  async conflicts(connectionId: string | undefined, limit: number, cursor?: string) {
    const page = await this.repo().listConflicts(connectionId, limit, cursor);
    return {
      items: page.items.map((i) =>
        i.kind === 'field' ? { kind: i.kind, ...conflictView(i.conflict) } : ownershipView(i.lead),
      ),
      nextCursor: page.nextCursor,
    };
  }

  /** A value of the caller's own meets the same rules as POST/PATCH /leads: it is stored and pushed to Zoho alike. */
  async resolve(
    id: number,
    field: LeadField,
    take: 'local' | 'crm' | 'value',
    value: string | null,
  ): Promise<LeadView> {
    const chosen = take === 'value' ? fieldValue(field, value) : null;
    const row = await this.guard(async () =>
      this.repo().resolve(id, field, take, chosen, await this.optionsOfLead(id)),
    );
    if (!row) throw new NotFound('open conflict', `${id}/${field}`);
    if (row.sync_state === 'pending') await this.kick(row.connection_id);
    return this.get(id);
  }

  private repo() {
    return new LeadsRepository(this.em());
  }

  private async optionsOfLead(id: number): Promise<LeadSyncOptions> {
    const row = await this.repo().get(id);
    if (!row) throw new NotFound('lead', String(id));
    return leadSyncOptions((await new ConnectionsRepository(this.em()).get(row.connection_id))?.options);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof DuplicateEmailError) throw new Conflict(err.message);
      throw err;
    }
  }

  private async kick(connectionId: string): Promise<void> {
    try {
      await this.syncs.kickLeadPush(connectionId);
    } catch (err) {
      this.log(
        `lead push for ${connectionId} not signalled (${(err as Error).message}); the scheduled pull will start it`,
      );
    }
  }
}

function fieldValue(field: LeadField, value: string | null): string | null {
  const parsed = LEAD_FIELD_RULES[field].safeParse(value);
  if (!parsed.success)
    throw new InvalidFields([
      { field: 'value', message: `${parsed.error.issues[0]?.message ?? 'invalid'} (the rules of ${field})` },
    ]);
  return norm(parsed.data);
}
