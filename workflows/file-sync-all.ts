import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { executeChild, setHandler } from '@temporalio/workflow';
import {
  type FileSyncAllInput,
  type FileSyncAllResult,
  type Progress,
  progressQuery,
  workflowIds,
} from './definitions.js';
import { fileSync } from './file-sync.js';
import { recordedRun } from './run-recorder.js';
import { mainQueue } from './queues.js';

const store = mainQueue();

/** Runs `fileSync` for every file-capable connection as child workflows; one connection's failure does not stop the others. */
export async function fileSyncAll(input: FileSyncAllInput): Promise<FileSyncAllResult> {
  let progress: Progress = { phase: 'listing connections', done: 0, total: null };
  setHandler(progressQuery, () => progress);
  return recordedRun('file-sync-all', null, async () => {
    const ids = await store.fileSyncListConnections({ provider: input.provider });
    progress = { phase: 'syncing', done: 0, total: ids.length };
    const connections = await Promise.all(
      ids.map(async (connectionId) => {
        try {
          const counts = await executeChild(fileSync, {
            workflowId: input.dryRun
              ? workflowIds.dryRun(workflowIds.fileSync(connectionId))
              : workflowIds.fileSync(connectionId),
            args: [{ connectionId, mode: input.mode, downloadContent: input.downloadContent, dryRun: input.dryRun }],
          });
          return { connectionId, status: 'completed' as const, counts };
        } catch (err) {
          if (err instanceof WorkflowExecutionAlreadyStartedError)
            return { connectionId, status: 'already-running' as const };
          const cause = (err as { cause?: { message?: string } }).cause;
          return { connectionId, status: 'failed' as const, error: cause?.message ?? (err as Error).message };
        } finally {
          progress = { ...progress, done: progress.done + 1 };
        }
      }),
    );
    return { connections };
  });
}
