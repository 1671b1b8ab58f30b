import { Context } from '@temporalio/activity';
import { DEFAULT_SEARCH_CAP, hubspotDealsGroup, hubspotFilesOfDeals, hubspotStart, type CrmPage } from './file-sync-hubspot.js';
import { zohoDealsPage, zohoFilesOfDeals, zohoStart } from './file-sync-zoho.js';
import { toCrmDeal as hubspotDeal } from '../connectors/hubspot/hubspot.mapper.js';
import { toCrmDeal as zohoDeal } from '../connectors/zoho-crm/zoho-crm.mapper.js';
import { ValidationError } from '../connectors/errors.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { FilesRepository, type RefusedRow } from '../db/repositories/files.repository.js';
import { SyncCursorsRepository } from '../db/repositories/sync-cursors.repository.js';
import { SyncRunsRepository } from '../db/repositories/sync-runs.repository.js';
import type { FileSyncCursor, FileSyncDealFilesInput, FileSyncMode, FileSyncPageInput, FileSyncPageResult, FileSyncPlan } from '../workflows/definitions.js';
import { DEFAULT_MAX_DOWNLOAD_BYTES } from '../config/connections.js';
import { ContentRejectedError } from '../storage/content-store.js';
import type { ActivityDeps } from './deps.js';
import { CONTENT_ERROR_CODES, storeVerified } from './file-sync-download.js';
import { classified } from './failures.js';
import { keepAlive } from './keepalive.js';

const STREAM = 'files';
/** Incremental runs re-read a little before the cursor: CRM clocks and search indexes lag (crm-apis.md 4.2). */
const OVERLAP_MS = 2 * 60_000;
export const FILE_PROVIDERS = ['hubspot', 'zoho-crm'] as const;

/** File sync activities that only touch our DB; they run on the main queue. */
export function createFileSyncStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const em = () => deps.orm.em.fork();
  return classified({
    async fileSyncPlan(input: { connectionId: string; mode: FileSyncMode; selective: boolean }): Promise<FileSyncPlan> {
      const row = await new ConnectionsRepository(em()).get(input.connectionId);
      if (!row) throw new ValidationError(`connection "${input.connectionId}" does not exist`, { code: 'UNKNOWN_CONNECTION' });
      if (row.provider !== 'hubspot' && row.provider !== 'zoho-crm') throw new ValidationError(`connection "${row.id}" (${row.provider}) has no deal files`, { code: 'NOT_FILE_CAPABLE' });
      const cursor = input.mode === 'incremental' && !input.selective ? await new SyncCursorsRepository(em()).get(input.connectionId, STREAM) : null;
      const since = cursor ? new Date(Date.parse(cursor) - OVERLAP_MS).toISOString() : null;
      const start = row.provider === 'hubspot' ? hubspotStart(input.mode, since, input.selective) : zohoStart(input.selective);
      return { provider: row.provider, since, start };
    },

    /**
     * Ends a run: a complete full run soft-deletes what the CRM no longer has; a complete non-selective run moves
     * the incremental cursor to the instant it started. Nothing moves when any deal could not be read.
     */
    async fileSyncFinish(input: { connectionId: string; runId: string; workflowId: string; mode: FileSyncMode; selective: boolean; dryRun: boolean; errors: number; startedAt: string }): Promise<{ deleted: number; softDeleteSkipped?: string }> {
      if (input.selective) return { deleted: 0 };
      if (input.errors > 0) return { deleted: 0, softDeleteSkipped: `${input.errors} item(s) failed; deletions and the cursor wait for a clean run` };
      let deleted = 0;
      if (input.mode === 'full') deleted = (await new FilesRepository(em()).markUnseenDeleted(input.connectionId, input.runId, input.dryRun)).files;
      if (!input.dryRun) await new SyncCursorsRepository(em()).set(input.connectionId, STREAM, input.startedAt);
      return { deleted };
    },

    async fileSyncListConnections(input: { provider?: 'hubspot' | 'zoho-crm' }): Promise<string[]> {
      const rows = await new ConnectionsRepository(em()).list();
      return rows.filter((r) => (FILE_PROVIDERS as readonly string[]).includes(r.provider) && (!input.provider || r.provider === input.provider)).map((r) => r.id);
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
     * Lists and writes the files of a few Zoho deals, one deal at a time, heartbeating after each: a retried
     * attempt resumes after the last deal it finished, with the counts so far.
     */
    async fileSyncDealFiles(input: FileSyncDealFilesInput): Promise<FileSyncPageResult> {
      const ctx = Context.current();
      const resume = (ctx.info.heartbeatDetails ?? { next: 0, counts: zero(), needContent: [] }) as { next: number; counts: FileSyncPageResult['counts']; needContent: string[] };
      const { client } = await deps.connectors.zohoCrm(input.connectionId);
      const onlyFileIds = input.fileIds?.length ? new Set(input.fileIds) : undefined;
      const counts = { ...resume.counts };
      const needContent = [...resume.needContent];
      for (let i = resume.next; i < input.dealIds.length; i++) {
        const { files: found, failures } = await zohoFilesOfDeals(client, [{ id: input.dealIds[i]! }], onlyFileIds);
        const r = await writePage(deps, input, 'zoho-crm', { deals: [], files: found, next: null, failures });
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
    async fileSyncDownload(input: { connectionId: string; runId: string; workflowId: string; externalFileIds: string[] }): Promise<{ downloaded: number; duplicates: number; errors: number; bytes: number }> {
      const connection = await deps.connectors.connection(input.connectionId);
      const maxBytes = connection.options.maxDownloadBytes ?? DEFAULT_MAX_DOWNLOAD_BYTES;
      const repo = new FilesRepository(em());
      const pending = await repo.needingContent(input.connectionId, input.externalFileIds, (sha) => deps.content.has(sha));
      const out = { downloaded: 0, duplicates: 0, errors: 0, bytes: 0 };
      for (const [i, file] of pending.entries()) {
        try {
          const stored = await storeVerified(deps, connection.provider, input.connectionId, file, maxBytes, (bytes) => Context.current().heartbeat({ file: i, bytes }));
          const { newlyFlagged } = await repo.setContent(file.id, stored.sha256);
          out.downloaded += 1;
          out.bytes += stored.size;
          out.duplicates += newlyFlagged;
        } catch (err) {
          const e = err as { kind?: string; name?: string; message?: string };
          const rejected = err instanceof ContentRejectedError;
          if (!rejected && (e.kind === 'rate-limited' || e.kind === 'unavailable' || e.kind === 'auth' || !e.kind)) throw err;
          out.errors += 1;
          await new SyncRunsRepository(em()).addEvent({
            runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId, level: 'error', code: rejected ? CONTENT_ERROR_CODES[err.reason] : e.name ?? 'Error',
            message: `download of file ${file.externalFileId} failed: ${e.message}`,
            details: { externalFileId: file.externalFileId, ...(rejected ? { reason: err.reason, bytes: err.bytes, declaredSize: file.size, declaredMd5: file.md5 ?? null } : {}) },
          });
        }
        Context.current().heartbeat({ file: i + 1 });
      }
      return out;
    },
  });
}

/** One page of deals: HubSpot pages carry their files; Zoho pages hand deal ids on to fileSyncDealFiles. */
async function fileSyncPage(deps: ActivityDeps, input: FileSyncPageInput): Promise<FileSyncPageResult> {
  const em = () => deps.orm.em.fork();
  const connection = await deps.connectors.connection(input.connectionId);
  const files = new FilesRepository(em());
  const onlyFileIds = input.fileIds?.length ? new Set(input.fileIds) : undefined;
  // A fileIds run needs the deals those files hang off: known from earlier runs.
  const dealIds = onlyFileIds ? [...new Set((await files.knownDealsOfFiles(input.connectionId, [...onlyFileIds])).values())] : input.dealIds;
  let page: CrmPage;
  if (connection.provider === 'hubspot') {
    const client = await deps.connectors.hubspot(input.connectionId);
    const cap = Number(connection.options.searchResultCap ?? DEFAULT_SEARCH_CAP);
    const { deals, next } = await hubspotDealsGroup(client, input.cursor, { dealIds, searchCap: cap });
    page = { deals: deals.map(hubspotDeal), files: await hubspotFilesOfDeals(client, deals, onlyFileIds), next, failures: [] };
  } else if (connection.provider === 'zoho-crm') {
    // Zoho needs one call per deal for its attachments: those run as separate, checkpointed activities.
    const { client } = await deps.connectors.zohoCrm(input.connectionId);
    const { deals, next } = await zohoDealsPage(client, input.cursor, { since: input.since, dealIds });
    const refused = input.dryRun ? [] : await files.upsertDeals(input.connectionId, connection.provider, input.runId, deals.map(zohoDeal));
    await recordRefusals(deps, input, 'deal', refused);
    const skip = new Set(refused.map((r) => r.externalId));
    return { next, counts: { deals: deals.length, created: 0, updated: 0, unchanged: 0, errors: refused.length }, needContent: [], pendingDeals: deals.filter((d) => !skip.has(d.id)).map((d) => d.id) };
  } else {
    throw new ValidationError(`connection "${connection.id}" (${connection.provider}) has no deal files`, { code: 'NOT_FILE_CAPABLE' });
  }
  return writePage(deps, input, connection.provider, page);
}

const zero = (): FileSyncPageResult['counts'] => ({ deals: 0, created: 0, updated: 0, unchanged: 0, errors: 0 });

type WriteInput = Pick<FileSyncPageInput, 'connectionId' | 'runId' | 'workflowId' | 'dryRun' | 'downloadContent'>;

async function writePage({ orm, content }: Pick<ActivityDeps, 'orm' | 'content'>, input: WriteInput, provider: string, raw: CrmPage): Promise<FileSyncPageResult> {
  // One row per key in a batch: Postgres refuses an upsert that touches the same row twice.
  const page = { ...raw, deals: [...new Map(raw.deals.map((d) => [d.externalId, d])).values()], files: [...new Map(raw.files.map((f) => [f.externalFileId, f])).values()] };
  const em = orm.em.fork();
  const files = new FilesRepository(em);
  const runs = new SyncRunsRepository(orm.em.fork());
  const plan = await files.plan(input.connectionId, page.files);
  let refused: RefusedRow[] = [];
  for (const f of page.failures) {
    await runs.addEvent({ runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId, level: 'error', code: f.code, message: `deal ${f.dealId}: ${f.message}`, details: { dealExternalId: f.dealId } });
  }
  if (input.dryRun) {
    await files.noteSeen(input.runId, page.files.map((f) => f.externalFileId));
    for (const f of plan.created) await runs.addEvent({ runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId, level: 'info', code: 'dry-run:create', message: `would create ${f.name}`, details: { externalFileId: f.externalFileId, dealExternalId: f.dealExternalId } });
    for (const u of plan.updated) await runs.addEvent({ runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId, level: 'info', code: 'dry-run:update', message: `would update ${u.file.name} (${u.changed.join(', ')})`, details: { externalFileId: u.file.externalFileId, changed: u.changed } });
  } else {
    await recordRefusals({ orm }, input, 'deal', await files.upsertDeals(input.connectionId, provider, input.runId, page.deals));
    refused = await files.apply(input.connectionId, provider, input.runId, plan);
    await recordRefusals({ orm }, input, 'file', refused);
  }
  const refusedIds = new Set(refused.map((r) => r.externalId));
  const needContent = input.downloadContent && !input.dryRun
    ? (await files.needingContent(input.connectionId, page.files.map((f) => f.externalFileId), (sha) => content.has(sha))).map((f) => f.externalFileId)
    : [];
  return {
    next: page.next as FileSyncCursor | null,
    counts: {
      deals: page.deals.length, created: plan.created.filter((f) => !refusedIds.has(f.externalFileId)).length,
      updated: plan.updated.filter((u) => !refusedIds.has(u.file.externalFileId)).length, unchanged: plan.unchanged.length, errors: page.failures.length + refused.length,
    },
    needContent,
    pendingDeals: [],
  };
}

/** Deals and files our tables refused: one error event each, naming the record and the reason. */
async function recordRefusals(deps: Pick<ActivityDeps, 'orm'>, input: Pick<WriteInput, 'connectionId' | 'runId' | 'workflowId'>, what: 'deal' | 'file', refused: RefusedRow[]): Promise<void> {
  await new SyncRunsRepository(deps.orm.em.fork()).addEvents(refused.map((r) => ({
    runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId, level: 'error' as const, code: 'REFUSED_BY_DATABASE',
    message: `${what} ${r.externalId}: our database refused it: ${r.message}`, details: what === 'deal' ? { dealExternalId: r.externalId } : { externalFileId: r.externalId },
  })));
}
