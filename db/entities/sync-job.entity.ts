import { defineEntity, p } from '@mikro-orm/postgresql';

/** A job from the connections file: connections joined for one sync (a deal-to-project link), its settings as applied. */
export const SyncJobSchema = defineEntity({
  name: 'SyncJob',
  tableName: 'sync_jobs',
  properties: {
    id: p.string().length(63).primary(),
    kind: p.string().length(32),
    config: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class SyncJob extends SyncJobSchema.class {}
SyncJobSchema.setClass(SyncJob);
