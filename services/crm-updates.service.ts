import type { EntityManager } from '@mikro-orm/postgresql';
import type { CrmUpdateRequest, RequestStatus } from '../db/entities/index.js';
import { IntegrationRequestsRepository } from '../db/repositories/integration-requests.repository.js';
import type { DealProjectsService } from './deal-projects.service.js';
import { workflowIds } from '../workflows/definitions.js';
import type { ProjectUpdatesInput } from '../workflows/project-updates-definitions.js';
import { crmUpdateWaitingSignal } from '../workflows/project-updates-signals.js';
import { Conflict, NotFound } from './errors.js';
import { type RequestRowView, requestRowView, startRequestRun, withWorkflow } from './request-runs.js';
import type { TemporalSettings } from './syncs.service.js';

export interface CrmUpdateView extends RequestRowView {
  projectIds: string[];
}

/** CRM-update requests (SI projects → deals, the existing service's `Type: Update`): the row first, then the workflow. */
export class CrmUpdatesService {
  constructor(
    private readonly t: TemporalSettings,
    private readonly em: () => EntityManager,
    private readonly dealProjects: DealProjectsService,
  ) {}

  async create(input: {
    jobId?: string;
    projectIds: string[];
    payload: Record<string, unknown>;
    source: 'api' | 'webhook';
    dryRun?: boolean;
  }): Promise<CrmUpdateView> {
    const job = await this.dealProjects.job(input.jobId);
    const repo = IntegrationRequestsRepository.crmUpdates(this.em());
    const row = await repo.create({
      jobId: job.id,
      projectIds: input.projectIds,
      payload: input.payload,
      source: input.source,
      dryRun: input.dryRun ?? false,
    });
    const workflowId = await this.start(row, { jobId: job.id, crm: job.crm, si: job.si }, input.dryRun ?? false);
    return withWorkflow(this.t, this.view((await repo.get(row.id))!), workflowId);
  }

  /** A poll now (`crm-sync si pull`): a request for whatever SI users published, kept like any other request. */
  async pollNow(jobId: string | undefined, dryRun: boolean): Promise<CrmUpdateView> {
    return this.create({ jobId, projectIds: [], payload: { type: 'Update', poll: true }, source: 'api', dryRun });
  }

  async get(id: number): Promise<CrmUpdateView> {
    const row = await IntegrationRequestsRepository.crmUpdates(this.em()).get(id);
    if (!row) throw new NotFound('CRM update request', String(id));
    return this.view(row);
  }

  async list(
    filter: { status?: RequestStatus; jobId?: string; from?: Date; to?: Date },
    limit: number,
    cursor?: string,
  ) {
    const page = await IntegrationRequestsRepository.crmUpdates(this.em()).list(filter, limit, cursor);
    return { items: page.items.map((r) => this.view(r)), nextCursor: page.nextCursor };
  }

  async update(id: number, input: { projectIds?: string[]; payload: Record<string, unknown> }): Promise<CrmUpdateView> {
    await this.get(id);
    const changed = await IntegrationRequestsRepository.crmUpdates(this.em()).updatePayload(id, {
      payload: input.payload,
      ...(input.projectIds ? { projectIds: input.projectIds } : {}),
    });
    if (!changed) throw new Conflict(`CRM update request ${id} is running; edit it once it has ended`);
    return this.get(id);
  }

  async delete(id: number): Promise<void> {
    await this.get(id);
    if (!(await IntegrationRequestsRepository.crmUpdates(this.em()).delete(id)))
      throw new Conflict(`CRM update request ${id} is running; delete it once it has ended`);
  }

  /** Runs an ended request again: fields are written only when they differ and notes exist once, so nothing doubles. */
  async replay(id: number): Promise<CrmUpdateView> {
    const view = await this.get(id);
    if (view.status === 'running') throw new Conflict(`CRM update request ${id} is running`);
    const job = await this.dealProjects.job(view.jobId);
    const repo = IntegrationRequestsRepository.crmUpdates(this.em());
    await repo.updatePayload(id, { status: 'received' });
    const row = (await repo.get(id))!;
    const workflowId = await this.start(row, { jobId: job.id, crm: job.crm, si: job.si }, row.dryRun);
    return withWorkflow(this.t, await this.get(id), workflowId);
  }

  private async start(
    row: CrmUpdateRequest,
    job: Pick<ProjectUpdatesInput, 'jobId' | 'crm' | 'si'>,
    dryRun: boolean,
  ): Promise<string> {
    const key = workflowIds.projectUpdates(job.jobId);
    const id = dryRun ? workflowIds.dryRun(`${key}:request-${row.id}`) : key;
    // No project ids: everything SI users published (a poll asked for by hand).
    const input: ProjectUpdatesInput = {
      ...job,
      projectIds: row.projectIds.length ? row.projectIds : undefined,
      requestId: row.id,
      dryRun,
    };
    return startRequestRun(this.t, {
      workflowType: 'projectUpdatesToCrm',
      workflowId: id,
      input,
      signal: crmUpdateWaitingSignal,
      dryRun,
    });
  }

  private view(r: CrmUpdateRequest): CrmUpdateView {
    return { ...requestRowView(this.t, r), projectIds: r.projectIds };
  }
}
