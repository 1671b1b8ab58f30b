import { Context } from '@temporalio/activity';
import { DEFAULT_MAX_DOWNLOAD_BYTES } from '../config/connections.js';
import type { CrmDeal, CrmFile } from '../connectors/crm-file.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { FilesRepository, type RefusedRow } from '../db/repositories/files.repository.js';
import { SyncCursorsRepository } from '../db/repositories/sync-cursors.repository.js';
import { requireCapable } from '../domain/errors.js';
import { hasCapability } from '../domain/providers.js';
import type { FileSyncCursor } from '../domain/sync-positions.js';
import type {
  FileSyncDealFilesInput,
  FileSyncMode,
  FileSyncPageInput,
  FileSyncPageResult,
  FileSyncPlan,
} from '../workflows/definitions.js';
import type { ActivityDeps } from './deps.js';
import { storeVerified } from './file-sync-download.js';
import { classified, dispositionOf, itemErrorCode } from './failures.js';
import { type ItemEvent, recordItemEvents } from './item-events.js';
import { keepAlive } from './keepalive.js';

const STREAM = 'files';
/** Incremental runs re-read a little before the cursor: CRM clocks and search indexes lag (crm-apis.md 4.2). */
const OVERLAP_MS = 2 * 60_000;

interface CrmPage {
  deals: CrmDeal[];
  files: CrmFile[];
  next: FileSyncCursor | null;
  failures: ItemFailure[];
}
interface ItemFailure {
  dealId: string;
  code: string;
  message: string;
}
type RunRef = Pick<FileSyncPageInput, 'connectionId' | 'runId' | 'workflowId'>;

/** File sync activities that only touch our DB; they run on the main queue. */
export function createFileSyncStoreActivities(deps: Pick<ActivityDeps, 'orm' | 'connectors'>) {
  const em = () => deps.orm.em.fork();
  return classified({
    async fileSyncPlan(input: { connectionId: string; mode: FileSyncMode; selective: boolean }): Promise<FileSyncPlan> {
      const row = requireCapable(
        input.connectionId,
        await new ConnectionsRepository(em()).get(input.connectionId),
        'dealFiles',
      );
      const cursor =
        input.mode === 'incremental' && !input.selective
          ? await new SyncCursorsRepository(em()).get(input.connectionId, STREAM)
          : null;
      const since = cursor ? new Date(Date.parse(cursor) - OVERLAP_MS).toISOString() : null;
      const source = await deps.connectors.capability(input.connectionId, 'dealFiles');
      return {
        provider: row.provider as FileSyncPlan['provider'],
        since,
        start: source.start({ mode: input.mode, since, selective: input.selective }),
      };
    },

    /**
     * Ends a run: a complete full run soft-deletes what the CRM no longer has; a complete non-selective run moves
     * the incremental cursor to the instant it started. Nothing moves when any deal could not be read.
     */
    async fileSyncFinish(input: {
      connectionId: string;
      runId: string;
      workflowId: string;
      mode: FileSyncMode;
      selective: boolean;
      dryRun: boolean;
      errors: number;
      startedAt: string;
    }): Promise<{ deleted: number; softDeleteSkipped?: string }> {
      if (input.selective) return { deleted: 0 };
      if (input.errors > 0)
        return {
          deleted: 0,
          softDeleteSkipped: `${input.errors} item(s) failed; deletions and the cursor wait for a clean run`,
        };
      let deleted = 0;
      if (input.mode === 'full')
        deleted = (await new FilesRepository(em()).markUnseenDeleted(input.connectionId, input.runId, input.dryRun))
          .files;
      if (!input.dryRun) await new SyncCursorsRepository(em()).set(input.connectionId, STREAM, input.startedAt);
      return { deleted };
    },

    async fileSyncListConnections(input: { provider?: string }): Promise<string[]> {
      const rows = await new ConnectionsRepository(em()).list();
      return rows
        .filter((r) => hasCapability(r.provider, 'dealFiles') && (!input.provider || r.provider === input.provider))
        .map((r) => r.id);
    },
  });
}

/** File sync activities that call a CRM; they run on the connection's queue. */
export function createFileSyncCrmActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /** Fetches one page of deals with their files and writes it (or, dry, records the plan). Returns counts and a cursor. */
    async fileSyncPage(input: FileSyncPageInput): Promise<FileSyncPageResult> {
      return keepAlive(() => fileSyncPage(deps, input));
    },

    /**
     * Lists and writes the files of a few deals, one deal at a time, heartbeating after each: a retried attempt
     * resumes after the last deal it finished, with the counts so far. A deal whose listing fails for good is an
     * item error; the others go on.
     */
    async fileSyncDealFiles(input: FileSyncDealFilesInput): Promise<FileSyncPageResult> {
      const ctx = Context.current();
      const resume = (ctx.info.heartbeatDetails ?? { next: 0, counts: zero(), needContent: [] }) as {
        next: number;
        counts: FileSyncPageResult['counts'];
        needContent: string[];
      };
      const source = await deps.connectors.capability(input.connectionId, 'dealFiles');
      // Read once per activity: every deal's files are written with it.
      const provider = await providerOf(deps, input);
      const onlyFileIds = input.fileIds?.length ? new Set(input.fileIds) : undefined;
      const counts = { ...resume.counts };
      const needContent = [...resume.needContent];
      for (let i = resume.next; i < input.dealIds.length; i++) {
        const dealId = input.dealIds[i]!;
        const page: CrmPage = { deals: [], files: [], next: null, failures: [] };
        try {
          page.files = await source.filesOfDeal(dealId, onlyFileIds);
        } catch (err) {
          if (dispositionOf(err) !== 'item') throw err;
          page.failures.push({ dealId, code: itemErrorCode(err), message: (err as Error).message });
        }
        const r = await writePage(deps, input, provider, page);
        for (const k of ['created', 'updated', 'unchanged', 'errors'] as const) counts[k] += r.counts[k];
        needContent.push(...r.needContent);
        ctx.heartbeat({ next: i + 1, counts, needContent });
      }
      return { next: null, counts, needContent, pendingDeals: [] };
    },

    /**
     * Streams content into the content store, heartbeating per chunk; a retry skips files already stored. Bytes that
     * do not match what the CRM declared are never recorded: that file becomes an item error and the others go on.
     */
    async fileSyncDownload(input: {
      connectionId: string;
      runId: string;
      workflowId: string;
      externalFileIds: string[];
    }): Promise<{ downloaded: number; duplicates: number; errors: number; bytes: number }> {
      const connection = await deps.connectors.connection(input.connectionId);
      const source = await deps.connectors.capability(input.connectionId, 'dealFiles');
      const maxBytes = connection.options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      const repo = new FilesRepository(em());
      const pending = await repo.needingContent(input.connectionId, input.externalFileIds, (sha) =>
        deps.content.has(sha),
      );
      const out = { downloaded: 0, duplicates: 0, errors: 0, bytes: 0 };
      for (const [i, file] of pending.entries()) {
        try {
          const stored = await storeVerified(deps.content, source, file, maxBytes, (bytes) =>
            Context.current().heartbeat({ file: i, bytes }),
          );
          const { newlyFlagged } = await repo.setContent(file.id, stored.sha256);
          out.downloaded += 1;
          out.bytes += stored.size;
          out.duplicates += newlyFlagged;
        } catch (err) {
          if (dispositionOf(err) !== 'item') throw err;
          out.errors += 1;
          const e = err as Error & { reason?: string; bytes?: number };
          await recordItemEvents(deps.orm, [
            {
              ...runOf(input),
              level: 'error',
              code: itemErrorCode(err),
              message: `download of file ${file.externalFileId} failed: ${e.message}`,
              details: {
                externalFileId: file.externalFileId,
                ...(e.reason
                  ? { reason: e.reason, bytes: e.bytes, declaredSize: file.size, declaredMd5: file.md5 ?? null }
                  : {}),
              },
            },
          ]);
        }
        Context.current().heartbeat({ file: i + 1 });
      }
      return out;
    },
  });
}

/** One page of deals: with their files when the CRM lists them in bulk, else deal ids for fileSyncDealFiles. */
async function fileSyncPage(deps: ActivityDeps, input: FileSyncPageInput): Promise<FileSyncPageResult> {
  const files = new FilesRepository(deps.orm.em.fork());
  const source = await deps.connectors.capability(input.connectionId, 'dealFiles');
  const onlyFileIds = input.fileIds?.length ? new Set(input.fileIds) : undefined;
  // A fileIds run needs the deals those files hang off: known from earlier runs.
  const dealIds = onlyFileIds
    ? [...new Set((await files.knownDealsOfFiles(input.connectionId, [...onlyFileIds])).values())]
    : input.dealIds;
  const page = await source.dealsPage(input.cursor, { since: input.since, dealIds, onlyFileIds });
  const provider = await providerOf(deps, input);
  if (page.files)
    return writePage(deps, input, provider, { deals: page.deals, files: page.files, next: page.next, failures: [] });
  // Files need one call per deal: those run as separate, checkpointed activities.
  const refused = input.dryRun ? [] : await files.upsertDeals(input.connectionId, provider, input.runId, page.deals);
  await recordRefusals(deps, input, 'deal', refused);
  const skip = new Set(refused.map((r) => r.externalId));
  return {
    next: page.next,
    counts: { deals: page.deals.length, created: 0, updated: 0, unchanged: 0, errors: refused.length },
    needContent: [],
    pendingDeals: page.deals.filter((d) => !skip.has(d.externalId)).map((d) => d.externalId),
  };
}

const providerOf = async (deps: Pick<ActivityDeps, 'connectors'>, input: RunRef) =>
  (await deps.connectors.connection(input.connectionId)).provider;
const runOf = (input: RunRef) => ({
  runId: input.runId,
  workflowId: input.workflowId,
  connectionId: input.connectionId,
});
const zero = (): FileSyncPageResult['counts'] => ({ deals: 0, created: 0, updated: 0, unchanged: 0, errors: 0 });

type WriteInput = RunRef & Pick<FileSyncPageInput, 'dryRun' | 'downloadContent'>;

async function writePage(
  deps: Pick<ActivityDeps, 'orm' | 'content' | 'connectors'>,
  input: WriteInput,
  provider: string,
  raw: CrmPage,
): Promise<FileSyncPageResult> {
  // One row per key in a batch: Postgres refuses an upsert that touches the same row twice.
  const page = {
    ...raw,
    deals: [...new Map(raw.deals.map((d) => [d.externalId, d])).values()],
    files: [...new Map(raw.files.map((f) => [f.externalFileId, f])).values()],
  };
  const files = new FilesRepository(deps.orm.em.fork());
  const plan = await files.plan(input.connectionId, page.files);
  let refused: RefusedRow[] = [];
  const events: ItemEvent[] = page.failures.map((f) => ({
    ...runOf(input),
    level: 'error',
    code: f.code,
    message: `deal ${f.dealId}: ${f.message}`,
    details: { dealExternalId: f.dealId },
  }));
  if (input.dryRun) {
    await files.noteSeen(
      input.runId,
      page.files.map((f) => f.externalFileId),
    );
    for (const f of plan.created)
      events.push({
        ...runOf(input),
        level: 'info',
        code: 'dry-run:create',
        message: `would create ${f.name}`,
        details: { externalFileId: f.externalFileId, dealExternalId: f.dealExternalId },
      });
    for (const u of plan.updated)
      events.push({
        ...runOf(input),
        level: 'info',
        code: 'dry-run:update',
        message: `would update ${u.file.name} (${u.changed.join(', ')})`,
        details: { externalFileId: u.file.externalFileId, changed: u.changed },
      });
    await recordItemEvents(deps.orm, events);
  } else {
    await recordItemEvents(deps.orm, events);
    await recordRefusals(
      deps,
      input,
      'deal',
      await files.upsertDeals(input.connectionId, provider, input.runId, page.deals),
    );
    refused = await files.apply(input.connectionId, provider, input.runId, plan);
    await recordRefusals(deps, input, 'file', refused);
  }
  const refusedIds = new Set(refused.map((r) => r.externalId));
  const needContent =
    input.downloadContent && !input.dryRun
      ? (
          await files.needingContent(
            input.connectionId,
            page.files.map((f) => f.externalFileId),
            (sha) => deps.content.has(sha),
          )
        ).map((f) => f.externalFileId)
      : [];
  return {
    next: page.next,
    counts: {
      deals: page.deals.length,
      created: plan.created.filter((f) => !refusedIds.has(f.externalFileId)).length,
      updated: plan.updated.filter((u) => !refusedIds.has(u.file.externalFileId)).length,
      unchanged: plan.unchanged.length,
      errors: page.failures.length + refused.length,
    },
    needContent,
    pendingDeals: [],
  };
}

/** Deals and files our tables refused: one error event each, naming the record and the reason. */
async function recordRefusals(
  deps: Pick<ActivityDeps, 'orm'>,
  input: RunRef,
  what: 'deal' | 'file',
  refused: RefusedRow[],
): Promise<void> {
  await recordItemEvents(
    deps.orm,
    refused.map((r) => ({
      ...runOf(input),
      level: 'error' as const,
      code: 'REFUSED_BY_DATABASE',
      message: `${what} ${r.externalId}: our database refused it: ${r.message}`,
      details: what === 'deal' ? { dealExternalId: r.externalId } : { externalFileId: r.externalId },
    })),
  );
}
