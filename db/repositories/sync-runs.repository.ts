import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { SyncEvent, SyncRun, type SyncRunStatus } from '../entities/index.js';
import { decodeIdCursor, encodeIdCursor, InvalidCursorError } from './id-cursor.js';

export interface RunFilter {
  kind?: string;
  connectionId?: string;
  status?: SyncRunStatus;
  workflowId?: string;
}
export interface RunPage {
  items: SyncRun[];
  nextCursor: string | null;
}

/** `sync_runs` and `sync_events`: every run is visible in our DB as well as in Temporal. */
export class SyncRunsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Idempotent on runId: a retried activity finds the row it wrote before. */
  async start(run: {
    workflowId: string;
    runId: string;
    kind: string;
    connectionId?: string | null;
    startedAt?: Date;
  }): Promise<void> {
    await this.em
      .createQueryBuilder(SyncRun)
      .insert({
        workflowId: run.workflowId,
        runId: run.runId,
        kind: run.kind,
        connectionId: run.connectionId ?? null,
        status: 'running',
        counts: {},
        startedAt: run.startedAt ?? new Date(),
      })
      .onConflict('runId')
      .ignore()
      .execute('run');
  }

  /**
   * Closes a running run, with its error event, in one transaction. Only a row still `running` changes, so a
   * retried call neither rewrites the outcome nor adds the event twice. Returns whether this call closed it.
   */
  async finish(
    runId: string,
    outcome: {
      status: SyncRunStatus;
      counts?: Record<string, number>;
      result?: Record<string, unknown>;
      error?: { code: string; message: string; workflowId: string; connectionId: string | null };
    },
  ): Promise<boolean> {
    return this.em.transactional(async (em) => {
      const changed = await em.nativeUpdate(
        SyncRun,
        { runId, status: 'running' },
        {
          status: outcome.status,
          counts: outcome.counts ?? {},
          result: outcome.result ?? null,
          error: outcome.error?.message ?? null,
          finishedAt: new Date(),
        },
      );
      if (changed > 0 && outcome.error) {
        const { code, message, workflowId, connectionId } = outcome.error;
        em.create(SyncEvent, { runId, workflowId, connectionId, level: 'error', code, message, details: null });
      }
      return changed > 0;
    });
  }

  async addEvent(event: {
    runId: string;
    workflowId: string;
    connectionId?: string | null;
    level: 'info' | 'warn' | 'error';
    code: string;
    message: string;
    details?: Record<string, unknown>;
  }): Promise<void> {
    this.em.create(SyncEvent, { ...event, connectionId: event.connectionId ?? null, details: event.details ?? null });
    await this.em.flush();
  }

  /** Many events in one flush (a dry run's plan, a page's item errors). */
  async addEvents(events: Array<Parameters<SyncRunsRepository['addEvent']>[0]>): Promise<void> {
    if (events.length === 0) return;
    for (const e of events)
      this.em.create(SyncEvent, { ...e, connectionId: e.connectionId ?? null, details: e.details ?? null });
    await this.em.flush();
  }

  async findLatestByWorkflowId(workflowId: string): Promise<SyncRun | null> {
    return this.em.findOne(SyncRun, { workflowId }, { orderBy: { id: 'desc' } });
  }

  async findByRunId(runId: string): Promise<SyncRun | null> {
    return this.em.findOne(SyncRun, { runId });
  }

  /** A run's events, oldest first, paged by id. */
  async eventsPage(
    runId: string,
    limit: number,
    cursor?: string,
  ): Promise<{ items: SyncEvent[]; nextCursor: string | null }> {
    const afterId = cursor ? decodeIdCursor('event', cursor) : 0;
    const rows = await this.em.find(
      SyncEvent,
      { runId, id: { $gt: afterId } },
      { orderBy: { id: 'asc' }, limit: limit + 1 },
    );
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeIdCursor('event', Number(items.at(-1)!.id)) : null };
  }

  async events(runId: string): Promise<SyncEvent[]> {
    return this.em.find(SyncEvent, { runId }, { orderBy: { id: 'asc' } });
  }

  /** Newest first; the cursor is the last id seen, so pages stay stable while new runs arrive. */
  async list(filter: RunFilter, limit: number, cursor?: string): Promise<RunPage> {
    const where: FilterQuery<SyncRun> = {};
    if (filter.kind) where.kind = filter.kind;
    if (filter.connectionId) where.connectionId = filter.connectionId;
    if (filter.status) where.status = filter.status;
    if (filter.workflowId) where.workflowId = filter.workflowId;
    if (cursor) where.id = { $lt: decodeIdCursor('run', cursor) };
    const rows = await this.em.find(SyncRun, where, { orderBy: { id: 'desc' }, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeIdCursor('run', items[items.length - 1]!.id) : null };
  }
}

export { InvalidCursorError };
