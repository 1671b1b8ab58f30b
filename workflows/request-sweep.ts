import { workflowIds } from './definitions.js';
import { mainQueue } from './queues.js';
import { startDetached } from './start-detached.js';

const store = mainQueue();
/** Left alone this long after it was committed: the API starts a request itself right after the commit. */
const GRACE_MS = 30_000;

export interface RequestSweepResult {
  started: number;
  busy: number;
}

/**
 * The safety net of requests-as-rows (run by the `request-sweep` schedule): starts every SI request and CRM-update
 * request left `received` (the API died between committing and starting it) under its business key: the deal's,
 * the job's updates'. A key whose run is busy keeps its requests for that run, which takes them before it ends.
 */
export async function requestSweep(): Promise<RequestSweepResult> {
  const result: RequestSweepResult = { started: 0, busy: 0 };
  const seen = new Set<string>();
  const start = async (workflowType: string, workflowId: string, input: unknown) => {
    // One request per business key and sweep: the rest of that key's requests wait for its run.
    if (!seen.has(workflowId) && (await startDetached(workflowType, workflowId, [input])) !== null) result.started += 1;
    else result.busy += 1;
    seen.add(workflowId);
  };
  for (const input of await store.siRequestsWaiting({ olderThanMs: GRACE_MS, limit: 100 })) {
    await start('dealToProject', workflowIds.dealToProject(input.jobId, input.dealId), input);
  }
  for (const input of await store.crmUpdatesWaiting({ olderThanMs: GRACE_MS, limit: 100 })) {
    await start('projectUpdatesToCrm', workflowIds.projectUpdates(input.jobId), input);
  }
  return result;
}
