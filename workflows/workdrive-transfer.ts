import { continueAsNew, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';
import { type Progress, progressQuery, workflowIds } from './definitions.js';
import { connectionActivities, localStore } from './queues.js';
import { recordedRun } from './run-recorder.js';
import {
  type TransferCounts,
  type TransferRecordInput,
  type TransferRecordResult,
  type WorkdriveTransferInput,
  ZERO_TRANSFER_COUNTS,
} from './workdrive-transfer-definitions.js';

/** Records a run takes before it continues as new, so its history stays small however many records there are. */
const RECORDS_PER_RUN = 500;
const BATCH = 100;

/** Runs `fn` over the items, at most `limit` at a time, in order of start. Deterministic: no timers, no races. */
async function forEachBounded<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

const failureText = (err: unknown): string => {
  const cause = (err as { cause?: { message?: string } }).cause;
  return cause?.message ?? (err as Error).message ?? String(err);
};

/**
 * CRM record attachments of org A into the WorkDrive folders of org B (DESIGN.md 5, "WorkDrive transfer"). The run
 * lists the team folder's subfolders and the records to transfer into our tables, then runs one child workflow per
 * record, `parallelRecords` at a time. History holds record ids and counts only.
 */
export async function workdriveTransfer(input: WorkdriveTransferInput): Promise<TransferCounts> {
  const counts: TransferCounts = { ...(input.next?.counts ?? ZERO_TRANSFER_COUNTS) };
  let progress: Progress = {
    phase: 'starting',
    done: counts.records,
    total: input.next?.total ?? null,
    counts: { ...counts },
  };
  setHandler(progressQuery, () => progress);
  return recordedRun(
    'workdrive-transfer',
    null,
    async () => {
      const store = localStore();
      const runId = workflowInfo().firstExecutionRunId;
      const job = await store.transferBegin({ jobId: input.jobId });
      const dryRun = !!input.dryRun;
      let total = input.next?.total ?? 0;
      if (!input.next) {
        progress = { ...progress, phase: 'listing folders' };
        await connectionActivities(job.workdrive, 'crmCall').transferIndexFolders({ runId, jobId: job.jobId });
        progress = { ...progress, phase: 'listing records' };
        total = (
          await connectionActivities(job.source, 'crmCall').transferListRecords({
            runId,
            jobId: job.jobId,
            recordId: input.recordId,
            limit: input.limit,
          })
        ).records;
      }
      progress = { ...progress, phase: 'transferring', total };
      let afterSeq = input.next?.afterSeq ?? -1;
      let taken = 0;
      for (;;) {
        const batch = await store.transferRecordIds({ runId, afterSeq, limit: BATCH });
        if (batch.length === 0) return counts;
        if (taken >= RECORDS_PER_RUN)
          return continueAsNew<typeof workdriveTransfer>({ ...input, next: { afterSeq, counts, total } });
        await forEachBounded(batch, job.parallelRecords, async ({ recordId }) => {
          const child: TransferRecordInput = { runId, recordId, dryRun, job };
          const id = workflowIds.workdriveTransferRecord(job.jobId, recordId);
          let result: TransferRecordResult;
          try {
            result = await executeChild(workdriveTransferRecord, {
              workflowId: dryRun ? workflowIds.dryRun(id) : id,
              args: [child],
            });
          } catch (err) {
            result = await store.transferFinishRecord({ runId, recordId, dryRun, error: failureText(err) });
          }
          tally(counts, result);
          progress = { ...progress, done: counts.records, counts: { ...counts } };
        });
        afterSeq = batch.at(-1)!.seq;
        taken += batch.length;
      }
    },
    (c) => ({ ...c }),
    { local: true },
  );
}

function tally(counts: TransferCounts, r: TransferRecordResult): void {
  counts.records += 1;
  counts[r.state] += 1;
  counts.filesUploaded += r.uploaded;
  counts.filesRenamed += r.renamed;
  counts.filesAlreadyThere += r.alreadyThere;
  counts.filesFailed += r.failed;
  counts.filesPlanned += r.planned;
}

/**
 * One record: its folder (none → skipped), the destination record's folder fields, every attachment into the
 * folder, then the checkbox when at least one is there. A step that fails for good is the record's reason; the
 * other steps still run, and the record ends partial or failed rather than failing the transfer.
 */
export async function workdriveTransferRecord(input: TransferRecordInput): Promise<TransferRecordResult> {
  const store = localStore();
  const { runId, recordId, dryRun, job } = input;
  const { found } = await store.transferMatchFolder({ runId, recordId });
  if (!found) return store.transferFinishRecord({ runId, recordId, dryRun });
  const errors: string[] = [];
  let copyFailed = false;
  try {
    await connectionActivities(job.destinationCrm, 'crmCall').transferWriteDestination(input);
  } catch (err) {
    errors.push(`folder fields not written: ${failureText(err)}`);
  }
  try {
    await connectionActivities(job.workdrive, 'download').transferCopyFiles(input);
  } catch (err) {
    copyFailed = true;
    errors.push(`files: ${failureText(err)}`);
  }
  if (!dryRun) {
    try {
      await connectionActivities(job.source, 'crmCall').transferTick(input);
    } catch (err) {
      errors.push(`checkbox not set: ${failureText(err)}`);
    }
  }
  return store.transferFinishRecord({ runId, recordId, dryRun, error: errors.join('; ') || undefined, copyFailed });
}
