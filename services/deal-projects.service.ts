import type { EntityManager } from '@mikro-orm/postgresql';
import type { RequestStatus, SiRequest } from '../db/entities/index.js';
import { type DealToProjectJob, JobsRepository } from '../db/repositories/jobs.repository.js';
import { IntegrationRequestsRepository } from '../db/repositories/integration-requests.repository.js';
import type { DealToProjectInput } from '../workflows/deal-project-definitions.js';
import { siRequestWaitingSignal } from '../workflows/deal-project-signals.js';
import { workflowIds } from '../workflows/definitions.js';
import { BadRequest, Conflict, NotFound } from './errors.js';
import { type RequestRowView, requestRowView, startRequestRun, withWorkflow } from './request-runs.js';
import type { TemporalSettings } from './syncs.service.js';

export interface SiRequestView extends RequestRowView {
  dealId: string;
}
export interface SiRequestInput {
  jobId?: string;
  dealId: string;
  payload: Record<string, unknown>;
  source: 'api' | 'webhook';
  dryRun?: boolean;
}

/** SI requests (deal → project): the row first, then the workflow; list, edit, delete and replay them. */
export class DealProjectsService {
  constructor(
    private readonly t: TemporalSettings,
    private readonly em: () => EntityManager,
  ) {}

  /** The job a request means: the one named, or the only deal-to-project job. */
  async job(jobId?: string): Promise<DealToProjectJob> {
    const jobs = await new JobsRepository(this.em()).dealToProject(jobId);
    if (jobId && !jobs.length) throw new NotFound('deal-to-project job', jobId);
    if (jobs.length !== 1)
      throw new BadRequest(`${jobs.length} deal-to-project jobs exist; name one with jobId`, { fields: ['jobId'] });
    return jobs[0]!;
  }

  /** Commits the request, then starts its workflow, or signals the deal's run busy with an earlier request. */
  async create(input: SiRequestInput): Promise<SiRequestView> {
    const job = await this.job(input.jobId);
    const repo = IntegrationRequestsRepository.si(this.em());
    const row = await repo.create({
      jobId: job.id,
      dealId: input.dealId,
      payload: input.payload,
      source: input.source,
      dryRun: input.dryRun ?? false,
    });
    const workflowId = await this.start(row, job, input.dryRun ?? false);
    return withWorkflow(this.t, this.view((await repo.get(row.id))!), workflowId);
  }

  async get(id: number): Promise<SiRequestView> {
    const row = await IntegrationRequestsRepository.si(this.em()).get(id);
    if (!row) throw new NotFound('SI request', String(id));
    return this.view(row);
  }

  async list(
    filter: { status?: RequestStatus; dealId?: string; jobId?: string; from?: Date; to?: Date },
    limit: number,
    cursor?: string,
  ) {
    const page = await IntegrationRequestsRepository.si(this.em()).list(filter, limit, cursor);
    return { items: page.items.map((r) => this.view(r)), nextCursor: page.nextCursor };
  }

  /** Edits a request nothing runs; the deal id may change with the payload. */
  async update(id: number, input: { dealId?: string; payload: Record<string, unknown> }): Promise<SiRequestView> {
    await this.get(id);
    const changed = await IntegrationRequestsRepository.si(this.em()).updatePayload(id, {
      payload: input.payload,
      ...(input.dealId ? { dealId: input.dealId } : {}),
    });
    if (!changed) throw new Conflict(`SI request ${id} is running; edit it once it has ended`);
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    await this.get(id);
    if (!(await IntegrationRequestsRepository.si(this.em()).delete(id)))
      throw new Conflict(`SI request ${id} is running; delete it once it has ended`);
  }

  /** Runs an ended request again; publishing under the same GUID and writing only changed fields make it safe. */
  async replay(id: number): Promise<SiRequestView> {
    const view = await this.get(id);
    if (view.status === 'running') throw new Conflict(`SI request ${id} is running`);
    const repo = IntegrationRequestsRepository.si(this.em());
    await repo.updatePayload(id, { status: 'received' });
    const row = (await repo.get(id))!;
    const workflowId = await this.start(row, await this.job(view.jobId), row.dryRun);
    return withWorkflow(this.t, await this.get(id), workflowId);
  }

  private async start(row: SiRequest, job: DealToProjectJob, dryRun: boolean): Promise<string> {
    const input: DealToProjectInput = {
      requestId: row.id,
      jobId: job.id,
      dealId: row.dealId,
      crm: job.crm,
      si: job.si,
      dryRun,
    };
    const key = workflowIds.dealToProject(job.id, row.dealId);
    const id = dryRun ? workflowIds.dryRun(key) : key;
    return startRequestRun(this.t, {
      workflowType: 'dealToProject',
      workflowId: id,
      input,
      signal: siRequestWaitingSignal,
      dryRun,
    });
  }

  private view(r: SiRequest): SiRequestView {
    return { ...requestRowView(this.t, r), dealId: r.dealId };
  }
}
