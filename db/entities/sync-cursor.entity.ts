import { defineEntity, p } from '@mikro-orm/postgresql';

/** Where the next incremental run of a stream starts; advanced only after a run has committed everything before it. */
export const SyncCursorSchema = defineEntity({
  name: 'SyncCursor',
  tableName: 'sync_cursors',
  properties: {
    connectionId: p.string().length(63).primary(),
    stream: p.string().length(64).primary(),
    value: p.string().length(255),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class SyncCursor extends SyncCursorSchema.class {}
SyncCursorSchema.setClass(SyncCursor);
