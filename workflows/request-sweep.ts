import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { ParentClosePolicy, startChild, workflowInfo } from '@temporalio/workflow';
import { workflowIds } from './definitions.js';
import { mainQueue } from './queues.js';

const store = mainQueue();
/** Left alone this long after it was committed: the API starts a request itself right after the commit. */
const GRACE_MS = 30_000;

export interface RequestSweepResult {
  started: number;
  busy: number;
}

/**
 * The safety net of requests-as-rows (run by the `request-sweep` schedule): starts every SI request and CRM-update
 * request left `received` under its business key (the deal's, the job's updates'). A deal still busy with an earlier request keeps the rest waiting for
 * the next sweep, so requests for one deal run one at a time, in order.
 */
export async function requestSweep(): Promise<RequestSweepResult> {
  const waiting = await store.siRequestsWaiting({ olderThanMs: GRACE_MS, limit: 100 });
  const result: RequestSweepResult = { started: 0, busy: 0 };
  const seen = new Set<string>();
  for (const input of waiting) {
    const workflowId = workflowIds.dealToProject(input.jobId, input.dealId);
    if (seen.has(workflowId)) {
      result.busy += 1;
      continue;
    }
    seen.add(workflowId);
    try {
      await startChild('dealToProject', {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        taskQueue: workflowInfo().taskQueue,
      });
      result.started += 1;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      result.busy += 1;
    }
  }
  for (const input of await store.crmUpdatesWaiting({ olderThanMs: GRACE_MS, limit: 100 })) {
    const workflowId = workflowIds.projectUpdates(input.jobId);
    if (seen.has(workflowId)) {
      result.busy += 1;
      continue;
    }
    seen.add(workflowId);
    try {
      await startChild('projectUpdatesToCrm', {
        workflowId,
        args: [input],
        parentClosePolicy: ParentClosePolicy.ABANDON,
        taskQueue: workflowInfo().taskQueue,
      });
      result.started += 1;
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      result.busy += 1;
    }
  }
  return result;
}
