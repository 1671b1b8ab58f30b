import { log } from '@temporalio/activity';
import type { MikroORM } from '@mikro-orm/postgresql';
import { SyncRunsRepository } from '../db/repositories/sync-runs.repository.js';

export type ItemEvent = Parameters<SyncRunsRepository['addEvent']>[0];

/**
 * Item events (per-record errors, dry-run plans) go to `sync_events`; errors are also logged, through the activity
 * logger, so each line carries the workflow id, run id and activity type. Runs inside an activity only.
 */
export async function recordItemEvents(orm: MikroORM, events: ItemEvent[]): Promise<void> {
  if (events.length === 0) return;
  await new SyncRunsRepository(orm.em.fork()).addEvents(events);
  for (const e of events)
    if (e.level === 'error') log.warn(e.message, { code: e.code, connectionId: e.connectionId, ...e.details });
}
