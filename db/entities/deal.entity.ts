import { defineEntity, p } from '@mikro-orm/postgresql';

/** A CRM deal as last seen by a file sync; files hang off it. */
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
});
export class Deal extends DealSchema.class {}
DealSchema.setClass(Deal);
