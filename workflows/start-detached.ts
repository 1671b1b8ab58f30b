import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';

/**
 * Starts a workflow under its business key as a child that outlives this run (ABANDON), or finds it running.
 * Returns the new run's id, or null when a run under that id is already going.
 */
export async function startDetached(workflowType: string, workflowId: string, args: unknown[]): Promise<string | null> {
  try {
    const child = await startChild(workflowType, {
      workflowId,
      args,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      taskQueue: workflowInfo().taskQueue,
    });
    return child.firstExecutionRunId;
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return null;
    throw err;
  }
}
