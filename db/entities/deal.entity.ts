import { defineEntity, p } from '@mikro-orm/postgresql';

/**
 * A CRM deal as last seen by a file sync (files hang off it) or by the CRM extract. The extract's columns are set
 * only for deals it kept: `extracted_at` null means the extract has not kept this deal (never read, rejected, or
 * gone from the CRM), and such deals stay out of its exports and aggregates.
 */
export const DealSchema = defineEntity({
  name: 'Deal',
  tableName: 'deals',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    connectionId: p.string().length(63),
    provider: p.string().length(32),
    externalId: p.string().length(64),
    name: p.string().length(500).nullable(),
    stage: p.string().length(128).nullable(),
    amount: p.double().nullable(),
    /** The stage mapped onto the extract's values (Prospecting, Negotiation, Closed-Won, Closed-Lost). */
    normalizedStage: p.string().length(32).nullable(),
    probability: p.double().nullable(),
    accountExternalId: p.string().length(64).nullable(),
    crmCreatedAt: p.datetime().nullable(),
    extractedAt: p.datetime().nullable(),
    /**
     * The CRM modification time of the copy the extract last applied (`crm_modified_at` is shared with the file sync,
     * which may have written a newer amount since; the extract still sees that as a change for its aggregates).
     */
    extractModifiedAt: p.datetime().nullable(),
    extractRunId: p.string().length(64).nullable(),
    crmModifiedAt: p.datetime().nullable(),
    lastSeenRunId: p.string().length(64).nullable(),
    firstSeenAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['connectionId', 'externalId'], name: 'deals_connection_external_unique' }],
  // The aggregates' recompute reads an account's deals created in one period.
  indexes: [{ properties: ['connectionId', 'accountExternalId', 'crmCreatedAt'] }],
});
export class Deal extends DealSchema.class {}
DealSchema.setClass(Deal);
