import { defineEntity, p } from '@mikro-orm/postgresql';

export const SYNC_RUN_STATUSES = ['running', 'completed', 'failed', 'canceled', 'terminated', 'timed_out'] as const;
export type SyncRunStatus = (typeof SYNC_RUN_STATUSES)[number];

/** One workflow run as our DB sees it: what ran, for which connection, how it ended, with counts. */
export const SyncRunSchema = defineEntity({
  name: 'SyncRun',
  tableName: 'sync_runs',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    workflowId: p.string().length(255).index(),
    runId: p.string().length(64).unique(),
    kind: p.string().length(64),
    connectionId: p.string().length(63).nullable().index(),
    status: p.string().length(16).$type<SyncRunStatus>(),
    counts: p.json<Record<string, number>>(),
    result: p.json<Record<string, unknown>>().nullable(),
    error: p.text().nullable(),
    startedAt: p.datetime(),
    finishedAt: p.datetime().nullable(),
  },
  indexes: [{ properties: ['kind', 'status'] }, { properties: ['startedAt'] }],
});
export class SyncRun extends SyncRunSchema.class {}
SyncRunSchema.setClass(SyncRun);
