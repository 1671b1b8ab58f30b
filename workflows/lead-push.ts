import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { type Progress, progressQuery } from './definitions.js';
import {
  type LeadPushCounts,
  type LeadPushInput,
  type LeadPushResult,
  leadsChangedSignal,
  zeroPushCounts,
} from './lead-definitions.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities } from './queues.js';

/** Passes over the pending leads per run before continuing as new; keeps the history of a busy connection small. */
const PASSES_PER_RUN = 50;

/**
 * The one push of a connection (id `lead-push:<connection>`): drains pending leads in batches of 100, and while it
 * runs, every `leadsChanged` signal asks for another pass. It ends when a pass finds nothing new was signalled; the
 * next local change starts it again (signal-with-start).
 */
export async function leadPush(input: LeadPushInput, carried?: LeadPushCounts): Promise<LeadPushResult> {
  const crm = connectionActivities(input.connectionId, 'crmCall');
  const counts = carried ?? zeroPushCounts();
  let again = true;
  let phase = 'pushing';
  setHandler(leadsChangedSignal, () => {
    again = true;
  });
  setHandler(progressQuery, (): Progress => ({ phase, done: counts.batches, total: null, counts: { ...counts } }));

  return recordedRun(
    'lead-push',
    input.connectionId,
    async () => {
      const { workflowId, firstExecutionRunId: runId } = workflowInfo();
      for (let passes = 0; again; passes++) {
        if (passes >= PASSES_PER_RUN || workflowInfo().continueAsNewSuggested)
          await continueAsNew<typeof leadPush>(input, counts);
        again = false;
        for (let afterId = 0; ;) {
          const batch = await crm.leadPushBatch({
            connectionId: input.connectionId,
            runId,
            workflowId,
            afterId,
            leadIds: input.leadIds,
            dryRun: input.dryRun ?? false,
          });
          counts.batches += 1;
          for (const k of ['created', 'updated', 'deleted', 'unchanged', 'errors'] as const)
            counts[k] += batch.counts[k];
          if (!batch.more) break;
          afterId = batch.lastId;
        }
        // A dry run reports one pass: it changes nothing, so another would only repeat it.
        if (input.dryRun) break;
      }
      phase = 'done';
      return { ...counts, connectionId: input.connectionId, dryRun: input.dryRun ?? false };
    },
    (r) => ({
      batches: r.batches,
      created: r.created,
      updated: r.updated,
      deleted: r.deleted,
      unchanged: r.unchanged,
      errors: r.errors,
    }),
  );
}
