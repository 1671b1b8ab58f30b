import {
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { type Progress, progressQuery, workflowIds } from './definitions.js';
import {
  type LeadPullCarry,
  type LeadPullCounts,
  type LeadPullInput,
  type LeadPullResult,
  leadsChangedSignal,
  zeroPullCounts,
} from './lead-definitions.js';
import { leadPush } from './lead-push.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities, mainQueue } from './queues.js';

const store = mainQueue();
/** Activities (of up to 10 pages each) per run before continuing as new. */
const ACTIVITIES_PER_RUN = 20;

/**
 * Leads modified in Zoho since the cursor, then leads deleted there, merged into ours a page at a time (each page
 * commits with the cursor). Long pulls continue as new. When leads wait to be pushed afterwards (a local value
 * kept by policy, or a missed signal), it starts or signals the connection's push: the schedule's safety net.
 */
export async function leadPull(input: LeadPullInput, carry?: LeadPullCarry): Promise<LeadPullResult> {
  const crm = connectionActivities(input.connectionId, 'crmCall');
  const counts: LeadPullCounts = carry?.counts ?? zeroPullCounts();
  let phase: string = carry?.phase ?? 'planning';
  setHandler(progressQuery, (): Progress => ({ phase, done: counts.pages, total: null, counts: { ...counts } }));

  return recordedRun(
    'lead-pull',
    input.connectionId,
    async () => {
      const { workflowId, firstExecutionRunId: runId } = workflowInfo();
      const dryRun = input.dryRun ?? false;
      const plan = carry?.plan ?? (await store.leadPullPlan({ connectionId: input.connectionId, full: input.full }));
      let position = carry?.position ?? { since: plan.since, page: 1 };
      let deletedPage = carry?.deletedPage ?? 1;
      const budget = input.activitiesPerRun ?? ACTIVITIES_PER_RUN;
      const roll = async (pagesThisRun: number) => {
        if (pagesThisRun >= budget || workflowInfo().continueAsNewSuggested) {
          await continueAsNew<typeof leadPull>(input, {
            plan,
            phase: phase as 'modified' | 'deleted',
            position,
            deletedPage,
            counts,
          });
        }
      };
      let pagesThisRun = 0;
      if (phase !== 'deleted') {
        phase = 'modified';
        for (;;) {
          await roll(pagesThisRun++);
          const page = await crm.leadPullPages({
            connectionId: input.connectionId,
            runId,
            workflowId,
            position,
            dryRun,
            maxPages: input.pagesPerActivity,
          });
          counts.pages += page.pages;
          for (const k of [
            'received',
            'created',
            'updated',
            'linked',
            'conflicts',
            'unchanged',
            'stale',
            'skipped',
            'errors',
          ] as const)
            counts[k] += page.counts[k];
          if (!page.next) break;
          position = page.next;
        }
      }
      phase = 'deleted';
      for (;;) {
        await roll(pagesThisRun++);
        const got = await crm.leadPullDeletes({
          connectionId: input.connectionId,
          runId,
          workflowId,
          since: plan.deletedSince,
          page: deletedPage,
          dryRun,
        });
        counts.pages += 1;
        counts.deleted += got.counts.deleted;
        counts.detached += got.counts.detached;
        if (got.nextPage === null) break;
        deletedPage = got.nextPage;
      }
      phase = 'done';
      const pendingPush = await store.leadPendingCount({ connectionId: input.connectionId });
      if (pendingPush > 0 && !dryRun) await kickPush(input.connectionId);
      return { ...counts, connectionId: input.connectionId, dryRun, pendingPush };
    },
    (r) => Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => typeof e[1] === 'number')),
  );
}

/** Starts the connection's push, or signals the one already running. */
async function kickPush(connectionId: string): Promise<void> {
  const workflowId = workflowIds.leadPush(connectionId);
  try {
    await startChild(leadPush, { workflowId, args: [{ connectionId }], parentClosePolicy: ParentClosePolicy.ABANDON });
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await getExternalWorkflowHandle(workflowId).signal(leadsChangedSignal);
  }
}
