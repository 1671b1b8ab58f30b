import type { EntityManager } from '@mikro-orm/postgresql';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { SyncRunsRepository, type RunFilter } from '../db/repositories/sync-runs.repository.js';
import type { SyncRun, SyncRunStatus } from '../db/entities/index.js';
import { type FileSyncInput, type Progress, progressQuery, workflowIds } from '../workflows/definitions.js';
import { leadsChangedSignal } from '../workflows/lead-definitions.js';
import type { CrmExtractInput } from '../workflows/extract-definitions.js';
import { requireCapable } from '../domain/errors.js';
import { providersWith } from '../domain/providers.js';
import { BadRequest, NotFound } from './errors.js';
import { pendingActivitiesOf, type PendingActivityView } from './pending-activities.js';
import type { FileProvider } from '../domain/providers.js';

export interface TemporalSettings {
  client: Client;
  namespace: string;
  taskQueue: string;
  uiUrl: string;
}

export interface StartedSync {
  workflowId: string;
  runId: string;
  temporalUiUrl: string;
}

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
  /** Activities Temporal is still trying (attempt > 1 with a last failure = retrying, not progressing). */
  pendingActivities: PendingActivityView[];
}

const STATUS: Record<string, SyncRunStatus> = {
  RUNNING: 'running',
  CONTINUED_AS_NEW: 'running',
  PAUSED: 'running',
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'canceled',
  TERMINATED: 'terminated',
  TIMED_OUT: 'timed_out',
};
const KIND_BY_TYPE: Record<string, string> = {
  connectionCheck: 'connection-check',
  fileSync: 'file-sync',
  fileSyncAll: 'file-sync-all',
  leadPull: 'lead-pull',
  leadPush: 'lead-push',
  dealToProject: 'deal-to-project',
  requestSweep: 'request-sweep',
  projectUpdatesToCrm: 'project-updates',
  siPoll: 'si-poll',
  workdriveTransfer: 'workdrive-transfer',
  workdriveTransferRecord: 'workdrive-transfer-record',
  crmExtract: 'crm-extract',
  recordsUpdate: 'records-update',
};

export function temporalUiUrl(t: TemporalSettings, workflowId: string, runId?: string): string {
  return `${t.uiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(t.namespace)}/workflows/${encodeURIComponent(workflowId)}${runId ? `/${runId}` : ''}/history`;
}

/** Starting workflows and reading their state; shared by the API and the CLI. */
export class SyncsService {
  constructor(
    private readonly t: TemporalSettings,
    private readonly em: () => EntityManager,
  ) {}

  /** A second start while one runs returns the running one (the workflow id is the business key). */
  async startConnectionCheck(connectionId: string): Promise<StartedSync> {
    requireCapable(connectionId, await new ConnectionsRepository(this.em()).get(connectionId), 'check');
    return this.start('connectionCheck', workflowIds.connectionCheck(connectionId), { connectionId });
  }

  /** Starts `fileSync` for one connection, or `fileSyncAll`; a second start while one runs returns the running one. */
  async startFileSync(
    input: Omit<FileSyncInput, 'connectionId'> & {
      connectionId?: string;
      all?: boolean;
      provider?: FileProvider;
    },
  ): Promise<StartedSync> {
    const { connectionId, all, provider, ...rest } = input;
    if (all || !connectionId) {
      if (rest.dealIds?.length || rest.fileIds?.length)
        throw new BadRequest('dealIds and fileIds need a single connectionId', { fields: ['dealIds', 'fileIds'] });
      const id = rest.dryRun ? workflowIds.dryRun(workflowIds.fileSyncAll()) : workflowIds.fileSyncAll();
      return this.start('fileSyncAll', id, {
        mode: rest.mode,
        downloadContent: rest.downloadContent,
        dryRun: rest.dryRun,
        provider,
      });
    }
    requireCapable(connectionId, await new ConnectionsRepository(this.em()).get(connectionId), 'dealFiles');
    const id = rest.dryRun
      ? workflowIds.dryRun(workflowIds.fileSync(connectionId))
      : workflowIds.fileSync(connectionId);
    return this.start('fileSync', id, { connectionId, ...rest });
  }

  /** The lead connection a request means: the one given (must be zoho-crm), or the only zoho-crm connection. */
  async leadConnection(connectionId?: string): Promise<string> {
    const repo = new ConnectionsRepository(this.em());
    if (connectionId) {
      requireCapable(connectionId, await repo.get(connectionId), 'leads');
      return connectionId;
    }
    const providers = providersWith('leads');
    const capable = (await repo.list()).filter((r) => (providers as string[]).includes(r.provider));
    if (capable.length !== 1)
      throw new BadRequest(`${capable.length} ${providers.join('/')} connections exist; name one with connectionId`, {
        fields: ['connectionId'],
      });
    return capable[0]!.id;
  }

  /** A dry run gets its own id, so it never joins (or is mistaken for) a real pull. */
  async startLeadPull(input: { connectionId?: string; dryRun?: boolean; full?: boolean }): Promise<StartedSync> {
    const connectionId = await this.leadConnection(input.connectionId);
    const id = input.dryRun
      ? workflowIds.dryRun(workflowIds.leadPull(connectionId))
      : workflowIds.leadPull(connectionId);
    return this.start('leadPull', id, { connectionId, dryRun: input.dryRun ?? false, full: input.full ?? false });
  }

  /** The connections the extract can read: the one given (checked), or every extract-capable one. */
  async extractConnections(connectionId?: string): Promise<string[]> {
    const repo = new ConnectionsRepository(this.em());
    if (connectionId) return [requireCapable(connectionId, await repo.get(connectionId), 'extract').id];
    const providers = providersWith('extract') as string[];
    return (await repo.list()).filter((r) => providers.includes(r.provider)).map((r) => r.id);
  }

  /** One extract at a time per connection: a second start while one runs returns the running one. */
  async startExtract(input: CrmExtractInput): Promise<StartedSync> {
    const [connectionId] = await this.extractConnections(input.connectionId);
    return this.start('crmExtract', workflowIds.crmExtract(connectionId!), { ...input, connectionId });
  }

  /** Starts the connection's push or signals the running one (signal-with-start); dry runs run apart. */
  async startLeadPush(input: { connectionId?: string; dryRun?: boolean }): Promise<StartedSync> {
    const connectionId = await this.leadConnection(input.connectionId);
    if (input.dryRun)
      return this.start('leadPush', workflowIds.dryRun(workflowIds.leadPush(connectionId)), {
        connectionId,
        dryRun: true,
      });
    return this.kickLeadPush(connectionId);
  }

  async kickLeadPush(connectionId: string): Promise<StartedSync> {
    const workflowId = workflowIds.leadPush(connectionId);
    const handle = await this.t.client.workflow.signalWithStart('leadPush', {
      taskQueue: this.t.taskQueue,
      workflowId,
      args: [{ connectionId }],
      signal: leadsChangedSignal,
      signalArgs: [],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return {
      workflowId,
      runId: handle.signaledRunId,
      temporalUiUrl: temporalUiUrl(this.t, workflowId, handle.signaledRunId),
    };
  }

  /** Starts under the business key, or returns the run already under it. */
  async start(workflowType: string, workflowId: string, arg: object): Promise<StartedSync> {
    const handle = await this.t.client.workflow.start(workflowType, {
      taskQueue: this.t.taskQueue,
      workflowId,
      args: [arg],
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
    return {
      workflowId,
      runId: handle.firstExecutionRunId,
      temporalUiUrl: temporalUiUrl(this.t, workflowId, handle.firstExecutionRunId),
    };
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
      workflowId,
      runId: desc.runId,
      kind: row?.kind ?? KIND_BY_TYPE[desc.type] ?? desc.type,
      connectionId: row?.connectionId ?? null,
      status,
      progress,
      result: row?.result ?? null,
      error: row?.error ?? null,
      startedAt: desc.startTime.toISOString(),
      closedAt: desc.closeTime?.toISOString() ?? null,
      temporalUiUrl: temporalUiUrl(this.t, workflowId, desc.runId),
      pendingActivities: status === 'running' ? pendingActivitiesOf(desc) : [],
    };
  }

  /** Waits for the run to close; used by the CLI. */
  async wait(workflowId: string): Promise<SyncView> {
    await this.t.client.workflow
      .getHandle(workflowId)
      .result()
      .catch(() => undefined);
    return this.get(workflowId);
  }

  async cancel(workflowId: string): Promise<SyncView> {
    const view = await this.get(workflowId);
    if (view.status === 'running') await this.t.client.workflow.getHandle(workflowId).cancel();
    return view;
  }

  /** The events of the workflow's latest run chain (item errors, dry-run plans), oldest first. */
  async events(workflowId: string, limit: number, cursor?: string) {
    const runs = new SyncRunsRepository(this.em());
    const run = await runs.findLatestByWorkflowId(workflowId);
    if (!run) throw new NotFound('sync', workflowId);
    const page = await runs.eventsPage(run.runId, limit, cursor);
    return {
      items: page.items.map((e) => ({
        id: Number(e.id),
        runId: e.runId,
        level: e.level,
        code: e.code,
        message: e.message,
        details: e.details ?? null,
        occurredAt: e.occurredAt.toISOString(),
      })),
      nextCursor: page.nextCursor,
    };
  }

  async list(filter: RunFilter, limit: number, cursor?: string) {
    const page = await new SyncRunsRepository(this.em()).list(filter, limit, cursor);
    return { items: page.items.map((r) => this.rowView(r)), nextCursor: page.nextCursor };
  }

  private rowView(r: SyncRun) {
    return {
      workflowId: r.workflowId,
      runId: r.runId,
      kind: r.kind,
      connectionId: r.connectionId ?? null,
      status: r.status,
      counts: r.counts,
      error: r.error ?? null,
      startedAt: r.startedAt.toISOString(),
      finishedAt: r.finishedAt?.toISOString() ?? null,
      temporalUiUrl: temporalUiUrl(this.t, r.workflowId, r.runId),
    };
  }
}
