import {
  ApplicationFailure,
  CancellationScope,
  ContinueAsNew,
  isCancellation,
  workflowInfo,
} from '@temporalio/workflow';
import type { SyncKind } from './definitions.js';
import { localStore, mainQueue } from './queues.js';

const queued = mainQueue();

/**
 * Wraps a workflow body so every run leaves one `sync_runs` row, keyed by the first run id of the chain (it
 * survives continue-as-new): started first, finished with the outcome — completed with counts, failed with its
 * classified error, or canceled — even when the body throws or is cancelled.
 */
export async function recordedRun<T extends object>(
  kind: SyncKind,
  connectionId: string | null,
  body: () => Promise<T>,
  countsOf?: (r: T) => Record<string, number>,
  /**
   * `perRun`: each run of a continue-as-new chain is a unit of its own (a request), with its own row.
   * `local`: the rows are written by local activities (see `localStore`).
   */
  opts: { perRun?: boolean; local?: boolean } = {},
): Promise<T> {
  const store = opts.local ? localStore() : queued;
  const info = workflowInfo();
  const { workflowId } = info;
  const runId = opts.perRun ? info.runId : info.firstExecutionRunId;
  const startedAt = opts.perRun ? info.runStartTime : info.startTime;
  if (opts.perRun || !info.continuedFromExecutionRunId) {
    await store.storeRecordRunStarted({ workflowId, runId, kind, connectionId, startedAt: startedAt.toISOString() });
  }
  try {
    const result = await body();
    await store.storeRecordRunFinished({
      workflowId,
      runId,
      connectionId,
      status: 'completed',
      result: result as Record<string, unknown>,
      counts: countsOf?.(result),
    });
    return result;
  } catch (err) {
    if (err instanceof ContinueAsNew) throw err;
    const cancelled = isCancellation(err);
    const failure = describe(err);
    await CancellationScope.nonCancellable(() =>
      store.storeRecordRunFinished({
        workflowId,
        runId,
        connectionId,
        status: cancelled ? 'canceled' : 'failed',
        error: failure,
      }),
    );
    throw err;
  }
}

function describe(err: unknown): { type: string; message: string } {
  // An activity or child failure wraps the ApplicationFailure that carries the classified type.
  const cause = (err as { cause?: unknown }).cause;
  const app = err instanceof ApplicationFailure ? err : cause instanceof ApplicationFailure ? cause : undefined;
  if (app) return { type: app.type ?? 'Error', message: app.message };
  return { type: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err) };
}
