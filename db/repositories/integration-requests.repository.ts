import type { EntityManager, FilterQuery } from '@mikro-orm/postgresql';
import { CrmUpdateRequest, type RequestStatus, SiRequest } from '../entities/index.js';
import { decodeIdCursor, encodeIdCursor } from './id-cursor.js';

export interface RequestFilter {
  status?: RequestStatus;
  dealId?: string;
  jobId?: string;
  from?: Date;
  to?: Date;
}
type RequestEntity = typeof SiRequest | typeof CrmUpdateRequest;
type RequestRow = SiRequest | CrmUpdateRequest;

/**
 * SI requests and CRM-update requests: written before any workflow starts, moved `received → running → done|failed`
 * by the workflow, edited or deleted only while nothing runs them.
 */
export class IntegrationRequestsRepository<E extends RequestEntity> {
  constructor(
    private readonly em: EntityManager,
    private readonly entity: E,
    private readonly cursorKind: string,
  ) {}

  static si(em: EntityManager) {
    return new IntegrationRequestsRepository(em, SiRequest, 'si');
  }
  static crmUpdates(em: EntityManager) {
    return new IntegrationRequestsRepository(em, CrmUpdateRequest, 'crmup');
  }

  async create(values: Record<string, unknown>): Promise<InstanceType<E>> {
    const row = this.em.create(this.entity as never, { ...values, status: 'received' } as never) as InstanceType<E>;
    await this.em.flush();
    return row;
  }

  async get(id: number): Promise<InstanceType<E> | null> {
    return (await this.em.findOne(this.entity as never, { id } as never)) as InstanceType<E> | null;
  }

  async list(
    filter: RequestFilter,
    limit: number,
    cursor?: string,
  ): Promise<{ items: Array<InstanceType<E>>; nextCursor: string | null }> {
    const where: Record<string, unknown> = {};
    if (filter.status) where.status = filter.status;
    if (filter.jobId) where.jobId = filter.jobId;
    if (filter.dealId && this.entity === SiRequest) where.dealId = filter.dealId;
    if (filter.from || filter.to)
      where.createdAt = { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) };
    if (cursor) where.id = { $lt: decodeIdCursor(this.cursorKind, cursor) };
    const rows = (await this.em.find(this.entity as never, where as FilterQuery<never>, {
      orderBy: { id: 'desc' } as never,
      limit: limit + 1,
    })) as Array<InstanceType<E>>;
    const items = rows.slice(0, limit);
    return {
      items,
      nextCursor: rows.length > limit ? encodeIdCursor(this.cursorKind, (items.at(-1) as RequestRow).id) : null,
    };
  }

  /** The workflow took the request; an earlier attempt's result and error are cleared (a replay starts afresh). */
  async markRunning(id: number, workflowId: string): Promise<void> {
    await this.em.nativeUpdate(
      this.entity as never,
      { id } as never,
      {
        status: 'running',
        workflowId,
        startedAt: new Date(),
        finishedAt: null,
        error: null,
        updatedAt: new Date(),
      } as never,
    );
  }

  async saveResult(id: number, result: Record<string, unknown>): Promise<void> {
    await this.em.nativeUpdate(this.entity as never, { id } as never, { result, updatedAt: new Date() } as never);
  }

  /** Ends a running request; a request already ended keeps its outcome (a retried activity changes nothing). */
  async finish(
    id: number,
    status: 'done' | 'failed',
    outcome: { result?: Record<string, unknown>; error?: string | null },
  ): Promise<void> {
    const row = await this.get(id);
    if (!row || (row as RequestRow).status !== 'running') return;
    const values: Record<string, unknown> = {
      status,
      finishedAt: new Date(),
      updatedAt: new Date(),
      error: outcome.error ?? null,
    };
    if (outcome.result) values.result = { ...((row as RequestRow).result ?? {}), ...outcome.result };
    await this.em.nativeUpdate(this.entity as never, { id, status: 'running' } as never, values as never);
  }

  /** Changes the payload of a request nothing runs; returns false when it runs. */
  async updatePayload(id: number, values: Record<string, unknown>): Promise<boolean> {
    return (
      (await this.em.nativeUpdate(
        this.entity as never,
        { id, status: { $ne: 'running' } } as never,
        { ...values, updatedAt: new Date() } as never,
      )) > 0
    );
  }

  async delete(id: number): Promise<boolean> {
    return (await this.em.nativeDelete(this.entity as never, { id, status: { $ne: 'running' } } as never)) > 0;
  }

  /** Requests committed but never started (the API died between the two, or a deal was busy): oldest first. */
  async waiting(olderThan: Date, limit: number, jobId?: string): Promise<Array<InstanceType<E>>> {
    const where = { status: 'received', dryRun: false, createdAt: { $lt: olderThan }, ...(jobId ? { jobId } : {}) };
    return (await this.em.find(this.entity as never, where as never, {
      orderBy: { id: 'asc' } as never,
      limit,
    })) as Array<InstanceType<E>>;
  }

  /** The oldest request of a deal still waiting (SI requests only). */
  async waitingFor(jobId: string, dealId: string): Promise<Array<InstanceType<E>>> {
    return (await this.em.find(this.entity as never, { status: 'received', dryRun: false, jobId, dealId } as never, {
      orderBy: { id: 'asc' } as never,
      limit: 1,
    })) as Array<InstanceType<E>>;
  }
}
