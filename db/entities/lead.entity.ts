import { defineEntity, p } from '@mikro-orm/postgresql';

export const LEAD_SYNC_STATES = ['synced', 'pending', 'conflict', 'error'] as const;
export type LeadSyncState = (typeof LEAD_SYNC_STATES)[number];

/**
 * A lead of our own, kept in step with one Zoho CRM connection. `base` holds the field values both sides last
 * agreed on: the merge compares each side with it, and our own pushes come back equal to it (no echo).
 */
export const LeadSchema = defineEntity({
  name: 'Lead',
  tableName: 'leads',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    connectionId: p.string().length(63),
    firstName: p.string().length(255).nullable(),
    lastName: p.string().length(255),
    email: p.string().length(320).nullable(),
    phone: p.string().length(64).nullable(),
    company: p.string().length(255).nullable(),
    status: p.string().length(128).nullable(),
    source: p.string().length(128).nullable(),
    zohoId: p.string().length(32).nullable(),
    remoteModifiedAt: p.datetime().nullable(),
    base: p.json<Record<string, string | null>>().nullable(),
    syncState: p.enum(() => LEAD_SYNC_STATES).default('pending'),
    lastError: p.text().nullable(),
    /** The code of `lastError` when it had one; `DUPLICATE_EMAIL` and `ZOHO_ID_TAKEN` mark ownership clashes. */
    lastErrorCode: p.string().length(64).nullable(),
    lastSyncedAt: p.datetime().nullable(),
    /** Last edit made here (not by a pull): what `newest-wins` compares with Zoho's Modified_Time. */
    localChangedAt: p.datetime().onCreate(() => new Date()),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
    /** When the Zoho record was deleted, by our push or in Zoho. */
    zohoDeletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['connectionId', 'zohoId'], name: 'leads_connection_zoho_unique' }],
  indexes: [
    // Only leads waiting for something are indexed by state: a pull's new rows are synced and skip this index.
    {
      name: 'leads_unsettled_index',
      expression: `create index "leads_unsettled_index" on "leads" ("connection_id", "sync_state", "id") where "sync_state" <> 'synced'`,
    },
    { properties: ['updatedAt'] },
    // No index on status (a handful of values; a filtered scan is as fast).
    // No trigram index for `q`: it would cost a third of a pull's insert time, and a filtered scan of 100k leads
    // takes tens of milliseconds.
    // Email is unique per connection among live leads, whatever its case (POST /leads answers 409). A lead in
    // `error` is outside it: when Zoho holds two leads with one email, the second is kept beside ours with the
    // reason, until someone merges them; it cannot leave `error` while the email is still taken.
    {
      name: 'leads_connection_email_unique',
      expression: `create unique index "leads_connection_email_unique" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null and "sync_state" <> 'error'`,
    },
    // The leads in `error` that index leaves out, for the pull's lookups by email (few rows).
    {
      name: 'leads_error_email_index',
      expression: `create index "leads_error_email_index" on "leads" ("connection_id", lower("email")) where "deleted_at" is null and "email" is not null and "sync_state" = 'error'`,
    },
  ],
});
export class Lead extends LeadSchema.class {}
LeadSchema.setClass(Lead);
