import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  type FileCounts,
  type FileSyncCarry,
  type FileSyncInput,
  type FileSyncResult,
  type Progress,
  progressQuery,
  zeroCounts,
} from './definitions.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities, mainQueue } from './queues.js';

const store = mainQueue();
/** Pages per run before continuing as new, even if Temporal does not suggest it yet: keeps histories small. */
const PAGES_PER_RUN = 20;
/** Small units of work, so a flaky CRM costs a short retry instead of a whole page. */
const DEALS_PER_ACTIVITY = 10;
const FILES_PER_DOWNLOAD = 5;

/**
 * Deals' files of one connection into Postgres. Activities fetch and write a page at a time and hand back only a
 * cursor and counts; content downloads run per page; the loop continues as new to keep history bounded.
 */
export async function fileSync(input: FileSyncInput, carry?: FileSyncCarry): Promise<FileSyncResult> {
  const crm = connectionActivities(input.connectionId, 'crmCall');
  const download = connectionActivities(input.connectionId, 'download');
  const selective = !!(input.dealIds?.length || input.fileIds?.length);
  const dryRun = input.dryRun ?? false;
  const counts: FileCounts = carry?.counts ?? zeroCounts();
  let phase = 'planning';
  setHandler(progressQuery, (): Progress => ({
    phase,
    done: counts.pages,
    total: null,
    message: summary(counts),
    counts: { ...counts },
  }));

  return recordedRun(
    'file-sync',
    input.connectionId,
    async () => {
      const info = workflowInfo();
      const startedAt = carry?.startedAt ?? info.startTime.toISOString();
      const plan = carry
        ? { since: carry.since, start: carry.cursor }
        : await store.fileSyncPlan({ connectionId: input.connectionId, mode: input.mode, selective });
      let cursor = plan.start;
      for (let pagesThisRun = 0; ; pagesThisRun++) {
        if (pagesThisRun >= (input.pagesPerRun ?? PAGES_PER_RUN) || workflowInfo().continueAsNewSuggested) {
          await continueAsNew<typeof fileSync>(input, { cursor, since: plan.since, counts, startedAt });
        }
        phase = 'listing';
        const page = await crm.fileSyncPage({
          connectionId: input.connectionId,
          runId: info.firstExecutionRunId,
          workflowId: info.workflowId,
          mode: input.mode,
          cursor,
          since: plan.since,
          dealIds: input.dealIds,
          fileIds: input.fileIds,
          dryRun,
          downloadContent: input.downloadContent ?? false,
        });
        counts.pages += 1;
        add(counts, page.counts);
        const needContent = [...page.needContent];
        phase = 'listing files';
        await inBatches(page.pendingDeals, DEALS_PER_ACTIVITY, 4, async (dealIds) => {
          const r = await crm.fileSyncDealFiles({
            connectionId: input.connectionId,
            runId: info.firstExecutionRunId,
            workflowId: info.workflowId,
            dealIds,
            fileIds: input.fileIds,
            dryRun,
            downloadContent: input.downloadContent ?? false,
          });
          add(counts, r.counts);
          needContent.push(...r.needContent);
        });
        phase = 'downloading';
        await inBatches(needContent, FILES_PER_DOWNLOAD, 3, async (externalFileIds) => {
          const got = await download.fileSyncDownload({
            connectionId: input.connectionId,
            runId: info.firstExecutionRunId,
            workflowId: info.workflowId,
            externalFileIds,
          });
          counts.downloaded += got.downloaded;
          counts.duplicates += got.duplicates;
          counts.errors += got.errors;
        });
        if (!page.next) break;
        cursor = page.next;
      }
      phase = 'finishing';
      const done = await store.fileSyncFinish({
        connectionId: input.connectionId,
        runId: info.firstExecutionRunId,
        workflowId: info.workflowId,
        mode: input.mode,
        selective,
        dryRun,
        errors: counts.errors,
        startedAt,
      });
      counts.deleted = done.deleted;
      phase = 'done';
      return {
        ...counts,
        connectionId: input.connectionId,
        mode: input.mode,
        dryRun,
        ...(done.softDeleteSkipped ? { softDeleteSkipped: done.softDeleteSkipped } : {}),
      };
    },
    (r) => ({
      pages: r.pages,
      deals: r.deals,
      created: r.created,
      updated: r.updated,
      unchanged: r.unchanged,
      deleted: r.deleted,
      duplicates: r.duplicates,
      downloaded: r.downloaded,
      errors: r.errors,
    }),
  );
}

function add(
  counts: FileCounts,
  page: Pick<FileCounts, 'deals' | 'created' | 'updated' | 'unchanged' | 'errors'>,
): void {
  for (const k of ['deals', 'created', 'updated', 'unchanged', 'errors'] as const) counts[k] += page[k];
}

/** Runs `fn` over slices of `items`, at most `parallel` at a time. */
async function inBatches<T>(
  items: T[],
  size: number,
  parallel: number,
  fn: (slice: T[]) => Promise<void>,
): Promise<void> {
  const slices = Array.from({ length: Math.ceil(items.length / size) }, (_, i) =>
    items.slice(i * size, i * size + size),
  );
  const lanes = Array.from({ length: Math.min(parallel, slices.length) }, async () => {
    for (let s = slices.shift(); s; s = slices.shift()) await fn(s);
  });
  await Promise.all(lanes);
}

function summary(c: FileCounts): string {
  return `${c.deals} deals; files ${c.created} new, ${c.updated} updated, ${c.unchanged} unchanged, ${c.deleted} deleted, ${c.duplicates} duplicate; ${c.downloaded} downloaded; ${c.errors} errors`;
}
