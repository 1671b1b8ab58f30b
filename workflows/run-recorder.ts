import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityPresets } from './activity-options.js';
import type { SyncKind } from './definitions.js';

const store = proxyActivities<Activities>(activityPresets.store);

/**
 * Wraps a workflow body so every run leaves a `sync_runs` row: started first, finished with the outcome
 * (completed, failed with its classified error, or canceled) even when the body throws or is cancelled.
 */
export async function recordedRun<T extends object>(kind: SyncKind, connectionId: string | null, body: () => Promise<T>): Promise<T> {
  const { workflowId, runId, startTime } = workflowInfo();
  await store.storeRecordRunStarted({ workflowId, runId, kind, connectionId, startedAt: startTime.toISOString() });
  try {
    const result = await body();
    await store.storeRecordRunFinished({ workflowId, runId, connectionId, status: 'completed', result: result as Record<string, unknown> });
    return result;
  } catch (err) {
    const cancelled = isCancellation(err);
    const failure = describe(err);
    await CancellationScope.nonCancellable(() => store.storeRecordRunFinished({
      workflowId, runId, connectionId, status: cancelled ? 'canceled' : 'failed', error: failure,
    }));
    throw err;
  }
}

function describe(err: unknown): { type: string; message: string } {
  // An activity failure wraps the ApplicationFailure that carries the classified type.
  const cause = (err as { cause?: unknown }).cause;
  const app = err instanceof ApplicationFailure ? err : cause instanceof ApplicationFailure ? cause : undefined;
  if (app) return { type: app.type ?? 'Error', message: app.message };
  return { type: (err as Error).name ?? 'Error', message: (err as Error).message ?? String(err) };
}
