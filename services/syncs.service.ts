import type { EntityManager } from '@mikro-orm/postgresql';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { SyncRunsRepository, type RunFilter } from '../db/repositories/sync-runs.repository.js';
import type { SyncRun, SyncRunStatus } from '../db/entities/index.js';
import { type FileSyncInput, type Progress, progressQuery, workflowIds } from '../workflows/definitions.js';
import { BadRequest, NotFound } from './errors.js';

export interface TemporalSettings { client: Client; namespace: string; taskQueue: string; uiUrl: string }

export interface StartedSync { workflowId: string; runId: string; temporalUiUrl: string }

export interface SyncView {
  workflowId: string;
  runId: string;
  kind: string;
  connectionId: string | null;
  status: SyncRunStatus;
  progress: Progress | null;
  result: Record<string, unknown> | null;
  error: string | null;
  startedAt: string;
  closedAt: string | null;
  temporalUiUrl: string;
}

const STATUS: Record<string, SyncRunStatus> = {
  RUNNING: 'running', CONTINUED_AS_NEW: 'running', PAUSED: 'running', COMPLETED: 'completed', FAILED: 'failed',
  CANCELLED: 'canceled', TERMINATED: 'terminated', TIMED_OUT: 'timed_out',
};
const KIND_BY_TYPE: Record<string, string> = { connectionCheck: 'connection-check', fileSync: 'file-sync', fileSyncAll: 'file-sync-all' };
const FILE_PROVIDERS = ['hubspot', 'zoho-crm'];

export function temporalUiUrl(t: TemporalSettings, workflowId: string, runId?: string): string {
  return `${t.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}/history`;
}

/** Starting workflows and reading their state; shared by the API and the CLI. */
export class SyncsService {
  constructor(private readonly t: TemporalSettings, private readonly em: () => EntityManager) {}

  /** A second start while one runs returns the running one (the workflow id is the business key). */
  async startConnectionCheck(connectionId: string): Promise<StartedSync> {
    const row = await new ConnectionsRepository(this.em()).get(connectionId);
    if (!row) throw new NotFound('connection', connectionId);
    return this.start('connectionCheck', workflowIds.connectionCheck(connectionId), { connectionId });
  }

  /** Starts `fileSync` for one connection, or `fileSyncAll`; a second start while one runs returns the running one. */
  async startFileSync(input: Omit<FileSyncInput, 'connectionId'> & { connectionId?: string; all?: boolean; provider?: 'hubspot' | 'zoho-crm' }): Promise<StartedSync> {
    const { connectionId, all, provider, ...rest } = input;
    if (all || !connectionId) {
      if (rest.dealIds?.length || rest.fileIds?.length) throw new BadRequest('dealIds and fileIds need a single connectionId', { fields: ['dealIds', 'fileIds'] });
      return this.start('fileSyncAll', workflowIds.fileSyncAll(), { mode: rest.mode, downloadContent: rest.downloadContent, dryRun: rest.dryRun, provider });
    }
    const row = await new ConnectionsRepository(this.em()).get(connectionId);
    if (!row) throw new NotFound('connection', connectionId);
    if (!FILE_PROVIDERS.includes(row.provider)) throw new BadRequest(`connection "${connectionId}" is ${row.provider}, which has no deal files`, { fields: ['connectionId'] });
    return this.start('fileSync', workflowIds.fileSync(connectionId), { connectionId, ...rest });
  }

  private async start(workflowType: string, workflowId: string, arg: object): Promise<StartedSync> {
    const handle = await this.t.client.workflow.start(workflowType, {
      taskQueue: this.t.taskQueue, workflowId, args: [arg],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING, workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return { workflowId, runId: handle.firstExecutionRunId, temporalUiUrl: temporalUiUrl(this.t, workflowId, handle.firstExecutionRunId) };
  }

  /** Temporal's describe (authoritative status) plus the progress query and our run row (result, counts). */
  async get(workflowId: string): Promise<SyncView> {
    const handle = this.t.client.workflow.getHandle(workflowId);
    let desc;
    try {
      desc = await handle.describe();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw new NotFound('sync', workflowId);
      throw err;
    }
    const status = STATUS[desc.status.name] ?? 'running';
    // After continue-as-new the latest run id differs from the first one, which keys the sync_runs row.
    const runs = new SyncRunsRepository(this.em());
    const row = (await runs.findByRunId(desc.runId)) ?? (await runs.findLatestByWorkflowId(workflowId));
    const progress = status === 'running' ? await handle.query(progressQuery).catch(() => null) : null;
    return {
      workflowId, runId: desc.runId, kind: row?.kind ?? KIND_BY_TYPE[desc.type] ?? desc.type, connectionId: row?.connectionId ?? null,
      status, progress, result: row?.result ?? null, error: row?.error ?? null,
      startedAt: desc.startTime.toISOString(), closedAt: desc.closeTime?.toISOString() ?? null,
      temporalUiUrl: temporalUiUrl(this.t, workflowId, desc.runId),
    };
  }

  /** Waits for the run to close; used by the CLI. */
  async wait(workflowId: string): Promise<SyncView> {
    await this.t.client.workflow.getHandle(workflowId).result().catch(() => undefined);
    return this.get(workflowId);
  }

  async cancel(workflowId: string): Promise<SyncView> {
    const view = await this.get(workflowId);
    if (view.status === 'running') await this.t.client.workflow.getHandle(workflowId).cancel();
    return view;
  }

  async list(filter: RunFilter, limit: number, cursor?: string) {
    const page = await new SyncRunsRepository(this.em()).list(filter, limit, cursor);
    return { items: page.items.map((r) => this.rowView(r)), nextCursor: page.nextCursor };
  }

  private rowView(r: SyncRun) {
    return {
      workflowId: r.workflowId, runId: r.runId, kind: r.kind, connectionId: r.connectionId ?? null, status: r.status, counts: r.counts,
      error: r.error ?? null, startedAt: r.startedAt.toISOString(), finishedAt: r.finishedAt?.toISOString() ?? null,
      temporalUiUrl: temporalUiUrl(this.t, r.workflowId, r.runId),
    };
  }
}
