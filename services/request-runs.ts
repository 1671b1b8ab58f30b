import { WorkflowIdReusePolicy } from '@temporalio/common';
import type { SignalDefinition } from '@temporalio/workflow';
import type { RequestStatus } from '../db/entities/index.js';
import { temporalUiUrl, type TemporalSettings } from './syncs.service.js';

/** What every stored request shows, whatever its kind. */
export interface RequestRowView {
  id: number;
  jobId: string;
  status: RequestStatus;
  source: string;
  payload: Record<string, unknown>;
  workflowId: string | null;
  result: Record<string, unknown> | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  temporalUiUrl: string | null;
}
interface RequestRow {
  id: number;
  jobId: string;
  status: RequestStatus;
  source: string;
  payload: Record<string, unknown>;
  workflowId?: string | null;
  result?: Record<string, unknown> | null;
  error?: string | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt?: Date | null;
  finishedAt?: Date | null;
}

export function requestRowView(t: TemporalSettings, r: RequestRow): RequestRowView {
  return {
    id: r.id,
    jobId: r.jobId,
    status: r.status,
    source: r.source,
    payload: r.payload,
    workflowId: r.workflowId ?? null,
    result: r.result ?? null,
    error: r.error ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    temporalUiUrl: r.workflowId ? temporalUiUrl(t, r.workflowId) : null,
  };
}

/** The run that takes the request (for a key busy with an earlier one, the next run under that id). */
export function withWorkflow<V extends RequestRowView>(t: TemporalSettings, view: V, workflowId: string): V {
  return {
    ...view,
    workflowId: view.workflowId ?? workflowId,
    temporalUiUrl: view.temporalUiUrl ?? temporalUiUrl(t, workflowId),
  };
}

/**
 * Starts the run of a stored request. A dry run starts under an id of its own. Otherwise signal-with-start: a run
 * busy with an earlier request under the same business key takes this one before it ends (Temporal never lets a
 * run complete past an unread signal); with none running, a run starts with it.
 */
export async function startRequestRun(
  t: TemporalSettings,
  run: { workflowType: string; workflowId: string; input: object; signal: SignalDefinition<[]>; dryRun: boolean },
): Promise<string> {
  if (run.dryRun) {
    await t.client.workflow.start(run.workflowType, {
      taskQueue: t.taskQueue,
      workflowId: run.workflowId,
      args: [run.input],
    });
  } else {
    await t.client.workflow.signalWithStart(run.workflowType, {
      taskQueue: t.taskQueue,
      workflowId: run.workflowId,
      args: [run.input],
      signal: run.signal,
      signalArgs: [],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
    });
  }
  return run.workflowId;
}
