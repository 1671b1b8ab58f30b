import { setHandler, workflowInfo } from '@temporalio/workflow';
import { type Progress, progressQuery } from './definitions.js';
import type { RecordsUpdateCounts, RecordsUpdateInput, RecordsUpdateResult } from './extract-definitions.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities, mainQueue } from './queues.js';

const store = mainQueue();

/**
 * Writes new values of the records an update matches to the CRM, a batch per call (Zoho 100, HubSpot 100), and our
 * copy for the records the CRM accepted; refusals are item events and the run goes on. Deals' aggregates follow.
 * The input holds the key and the new values only, never records.
 */
export async function recordsUpdate(input: RecordsUpdateInput): Promise<RecordsUpdateResult> {
  const crm = connectionActivities(input.connectionId, 'crmCall');
  const counts: RecordsUpdateCounts = { matched: 0, updated: 0, failed: 0, batches: 0 };
  let phase = 'matching';
  setHandler(progressQuery, (): Progress => ({
    phase,
    done: counts.updated + counts.failed,
    total: counts.matched,
    counts: { ...counts },
  }));
  return recordedRun(
    'records-update',
    input.connectionId,
    async () => {
      const { workflowId, firstExecutionRunId: runId } = workflowInfo();
      const found = await store.recordsUpdateMatches(input);
      counts.matched = found.matched;
      if (input.dryRun) return { ...counts, connectionId: input.connectionId, dryRun: true, sample: found.sample };
      phase = 'writing';
      for (let afterId = 0; ;) {
        const batch = await crm.recordsUpdateBatch({ ...input, runId, workflowId, afterId });
        counts.batches += 1;
        counts.updated += batch.updated;
        counts.failed += batch.failed;
        if (!batch.more) break;
        afterId = batch.lastId;
      }
      if (input.plan.domain === 'deals') {
        phase = 'aggregates';
        const plan = await store.extractPlan({ connectionId: input.connectionId, domains: [] });
        await store.extractAggregates({ connectionId: input.connectionId, full: false, timeZone: plan.timeZone });
      }
      phase = 'done';
      return { ...counts, connectionId: input.connectionId, dryRun: false };
    },
    (r) => ({ matched: r.matched, updated: r.updated, failed: r.failed, batches: r.batches }),
  );
}
