import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';

/** What a schedule asks for: a sync under its business-key id, with its plain-JSON input. */
export interface ScheduledRunInput {
  workflowType: string;
  workflowId: string;
  args: unknown[];
}
export interface ScheduledRunResult {
  workflowId: string;
  outcome: 'started' | 'already-running';
  runId: string | null;
}

/**
 * Temporal Schedules start each run under `<action id>-<timestamp>`, never under a fixed id, so a schedule cannot
 * start a sync under its business key itself. It starts this instead, which starts the sync under that key (as the
 * API and CLI do), or finds it running and leaves it alone: a scheduled and a manual run of one job never overlap.
 * The sync outlives this run (ABANDON), so a long sync does not keep the schedule's slot.
 */
export async function scheduledRun(input: ScheduledRunInput): Promise<ScheduledRunResult> {
  try {
    const child = await startChild(input.workflowType, {
      workflowId: input.workflowId,
      args: input.args,
      parentClosePolicy: ParentClosePolicy.ABANDON,
      taskQueue: workflowInfo().taskQueue,
    });
    return { workflowId: input.workflowId, outcome: 'started', runId: child.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return { workflowId: input.workflowId, outcome: 'already-running', runId: null };
    throw err;
  }
}
