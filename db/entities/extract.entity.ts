import { defineEntity, p } from '@mikro-orm/postgresql';

/**
 * The CRM extract's accounts and contacts (its deals extend `deals`, the file sync's table). Keyed by the CRM's id
 * per connection; every row keeps the CRM's modification time (an older copy of a record never overwrites a newer
 * one) and the run that last saw it (a full run soft-deletes the rows it did not see).
 */
export const ExtractAccountSchema = defineEntity({
  name: 'ExtractAccount',
  tableName: 'accounts',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    connectionId: p.string().length(63),
    externalId: p.string().length(64),
    name: p.text(),
    industry: p.text().nullable(),
    value: p.double().nullable(),
    region: p.string().length(32).nullable(),
    crmModifiedAt: p.datetime(),
    lastSeenRunId: p.string().length(64).nullable(),
    firstSeenAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['connectionId', 'externalId'], name: 'accounts_connection_external_unique' }],
  indexes: [{ properties: ['connectionId', 'region'] }],
});
export class ExtractAccount extends ExtractAccountSchema.class {}
ExtractAccountSchema.setClass(ExtractAccount);

export const ExtractContactSchema = defineEntity({
  name: 'ExtractContact',
  tableName: 'contacts',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    connectionId: p.string().length(63),
    externalId: p.string().length(64),
    firstName: p.text().nullable(),
    lastName: p.text(),
    email: p.text(),
    jobTitle: p.text().nullable(),
    leadSource: p.string().length(32).nullable(),
    lastContactAt: p.datetime().nullable(),
    crmModifiedAt: p.datetime(),
    lastSeenRunId: p.string().length(64).nullable(),
    firstSeenAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    deletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['connectionId', 'externalId'], name: 'contacts_connection_external_unique' }],
  indexes: [{ properties: ['connectionId', 'leadSource'] }],
});
export class ExtractContact extends ExtractContactSchema.class {}
ExtractContactSchema.setClass(ExtractContact);

/**
 * A CRM record the extract did not keep, and why (a required value missing, a value of the wrong type, an enum
 * spelling nobody mapped). One row per record: the latest verdict; removed when the record is later kept.
 */
export const ExtractRejectSchema = defineEntity({
  name: 'ExtractReject',
  tableName: 'extract_rejects',
  properties: {
    connectionId: p.string().length(63).primary(),
    domain: p.string().length(16).primary(),
    externalId: p.string().length(64).primary(),
    code: p.string().length(32),
    field: p.string().length(64),
    message: p.text(),
    value: p.text().nullable(),
    crmModifiedAt: p.datetime(),
    runId: p.string().length(64),
    seenAt: p.datetime().onCreate(() => new Date()),
  },
});
export class ExtractReject extends ExtractRejectSchema.class {}
ExtractRejectSchema.setClass(ExtractReject);

export const AGGREGATION_TYPES = ['daily', 'weekly', 'monthly'] as const;
export type AggregationType = (typeof AGGREGATION_TYPES)[number];

/** Deal totals per account and period (weeks start on Monday), in the connection's time zone. */
export const DealAggregationSchema = defineEntity({
  name: 'DealAggregation',
  tableName: 'deal_aggregations',
  properties: {
    connectionId: p.string().length(63).primary(),
    accountExternalId: p.string().length(64).primary(),
    type: p.string().length(8).primary().$type<AggregationType>(),
    periodStart: p.string().columnType('date').primary(),
    totalSize: p.double(),
    dealCount: p.integer(),
    updatedAt: p.datetime(),
  },
  indexes: [{ properties: ['connectionId', 'type', 'periodStart'] }],
});
export class DealAggregation extends DealAggregationSchema.class {}
DealAggregationSchema.setClass(DealAggregation);

/**
 * Where deals changed since the aggregates were last brought up to date: the account and creation time a deal had
 * before and after each change. The recompute reads the periods these fall in, recomputes only those, and deletes
 * the rows it consumed.
 */
export const DealAggregationDirtySchema = defineEntity({
  name: 'DealAggregationDirty',
  tableName: 'deal_aggregation_dirty',
  properties: {
    connectionId: p.string().length(63).primary(),
    accountExternalId: p.string().length(64).primary(),
    at: p.datetime().primary(),
  },
});
export class DealAggregationDirty extends DealAggregationDirtySchema.class {}
DealAggregationDirtySchema.setClass(DealAggregationDirty);
