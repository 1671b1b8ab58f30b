import {
  ActivityFailure,
  ApplicationFailure,
  continueAsNew,
  setHandler,
  sleep,
  workflowInfo,
} from '@temporalio/workflow';
import { siRequestWaitingSignal } from './deal-project-signals.js';
import type { DealToProjectInput, DealToProjectResult, ImportOutcome } from './deal-project-definitions.js';
import { type Progress, progressQuery } from './definitions.js';
import { connectionActivities, localStore } from './queues.js';
import { recordedRun } from './run-recorder.js';

/** A burst of requests runs a workflow per deal: its DB steps stay in the worker (local activities). */
const store = localStore();
/** SI imports when a person opens the desktop app: poll soon, then back off to this, so a day's wait stays small. */
const MAX_POLL_MS = 5 * 60_000;

/**
 * One SI request: read the deal → refuse it if SI's required fields are blank (nothing sent) → publish the project
 * under the GUID derived from job and deal (or update the linked one) → wait, with durable timers, until SI has
 * imported it → write id, number and state back to the deal → mark the request done. Any failure marks the request
 * failed with its reason and fails the run.
 */
export async function dealToProject(input: DealToProjectInput): Promise<DealToProjectResult> {
  const crm = connectionActivities(input.crm, 'crmCall');
  const si = connectionActivities(input.si, 'crmCall');
  const ref = { requestId: input.requestId, jobId: input.jobId, dealId: input.dealId };
  const dryRun = input.dryRun ?? false;
  let progress: Progress = { phase: 'starting', done: 0, total: 4 };
  setHandler(progressQuery, () => progress);
  const step = (phase: string, done: number) => {
    progress = { phase, done, total: 4 };
  };

  // What to take next is read from the request rows; the signal says to look again.
  const wake = { signalled: false };
  setHandler(siRequestWaitingSignal, () => {
    wake.signalled = true;
  });

  let outcome: { result: DealToProjectResult } | { failure: unknown };
  try {
    outcome = { result: await runRequest() };
  } catch (failure) {
    outcome = { failure };
  }
  // Requests for this deal committed meanwhile (signalled once committed; Temporal does not let a run complete past
  // a signal) run next, one at a time, each as a run of its own.
  if (!dryRun) {
    do {
      wake.signalled = false;
      const next = await store.siRequestNext({ jobId: input.jobId, dealId: input.dealId });
      if (next) await continueAsNew<typeof dealToProject>(next);
    } while (wake.signalled);
  }
  if ('failure' in outcome) throw outcome.failure;
  return outcome.result;

  function runRequest(): Promise<DealToProjectResult> {
    return recordedRun(
      'deal-to-project',
      input.crm,
      async () => {
        const result: DealToProjectResult = {
          requestId: input.requestId,
          status: 'failed',
          projectId: null,
          mode: null,
          written: [],
          error: null,
          dryRun,
        };
        try {
          const { importTimeoutMinutes } = await store.siRequestBegin({
            requestId: input.requestId,
            workflowId: workflowInfo().workflowId,
          });
          step('reading the deal', 0);
          const plan = await crm.dealPlanProject(ref);
          result.projectId = plan.projectId;
          result.mode = plan.mode;
          if (!plan.found)
            throw ApplicationFailure.nonRetryable(`deal ${input.dealId} does not exist in the CRM`, 'DealNotFound');
          if (plan.missing.length)
            throw ApplicationFailure.nonRetryable(
              `deal ${input.dealId} cannot become a project: fill ${plan.missing.join(', ')}`,
              'DealIncomplete',
            );
          if (!dryRun) {
            if (plan.mode !== 'unchanged') {
              step(plan.mode === 'update' ? 'updating the project' : 'publishing the project', 1);
              const published = await si.projectPublish(ref);
              step('waiting for SI to import it', 2);
              await waitForImport(si, ref, importTimeoutMinutes, published);
            }
            step('writing back to the deal', 3);
            result.written = (await crm.dealWriteBack(ref)).written;
          }
          result.status = 'done';
          await store.siRequestEnd({ requestId: input.requestId, status: 'done', result: { ...result } });
          step('done', 4);
          return result;
        } catch (err) {
          result.error = messageOf(err);
          await store.siRequestEnd({
            requestId: input.requestId,
            status: 'failed',
            result: { ...result },
            error: result.error,
          });
          throw err;
        }
      },
      (r) => ({ written: r.written.length }),
      { perRun: true, local: true },
    );
  }
}

async function waitForImport(
  si: ReturnType<typeof connectionActivities>,
  ref: { requestId: number; jobId: string; dealId: string },
  timeoutMinutes: number,
  /** The status read right after the publish. */
  first: ImportOutcome,
): Promise<void> {
  const deadline = Date.now() + timeoutMinutes * 60_000;
  let status = first;
  for (let wait = 1000; ; wait = Math.min(wait * 2, MAX_POLL_MS)) {
    if (status.state === 'imported') return;
    if (status.state === 'failed')
      throw ApplicationFailure.nonRetryable(
        `SI could not import the project: ${status.error ?? 'no reason given'}`,
        'SiImportFailed',
      );
    if (Date.now() >= deadline)
      throw ApplicationFailure.nonRetryable(
        `SI has not imported the project within ${timeoutMinutes} minutes; replay the request once it is imported`,
        'SiImportTimeout',
      );
    await sleep(Math.min(wait, Math.max(1000, deadline - Date.now())));
    status = await si.projectImportStatus(ref);
  }
}

/** The reason a user reads on the request: the activity's own failure message, not Temporal's wrapper. */
function messageOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return (cause as Error | undefined)?.message ?? String(err);
}
