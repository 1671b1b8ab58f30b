import { defineEntity, p } from '@mikro-orm/postgresql';

/** A per-item problem or notable step of a run, e.g. a classified CRM error. */
export const SyncEventSchema = defineEntity({
  name: 'SyncEvent',
  tableName: 'sync_events',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    runId: p.string().length(64).index(),
    workflowId: p.string().length(255),
    connectionId: p.string().length(63).nullable(),
    level: p.string().length(8).$type<'info' | 'warn' | 'error'>(),
    code: p.string().length(64),
    message: p.text(),
    details: p.json<Record<string, unknown>>().nullable(),
    occurredAt: p.datetime().onCreate(() => new Date()),
  },
});
export class SyncEvent extends SyncEventSchema.class {}
SyncEventSchema.setClass(SyncEvent);
