import { log } from '@temporalio/activity';
import { ConfigError } from '../config/env.js';
import type { WorkdriveTransferJob } from '../config/jobs.js';
import type { FolderStore, ModuleRecords, RecordAttachment, RemoteFolderFile } from '../connectors/capabilities.js';
import { ConflictError } from '../connectors/errors.js';
import type { TransferFileOutcome, TransferRecord } from '../db/entities/index.js';
import { getJob } from '../db/repositories/connections.repository.js';
import { TransferRunsRepository } from '../db/repositories/transfer-runs.repository.js';
import { type TransferKey, WorkdriveTransfersRepository } from '../db/repositories/workdrive-transfers.repository.js';
import { type FileOutcome, recordState, shouldTick, timestamp, uploadName } from '../domain/workdrive-transfer.js';
import type {
  TransferJobRef,
  TransferRecordInput,
  TransferRecordResult,
} from '../workflows/workdrive-transfer-definitions.js';
import type { ActivityDeps } from './deps.js';
import { classified, dispositionOf } from './failures.js';
import { keepAlive } from './keepalive.js';

/** The job as applied; a run whose job left the connections file stops until it is back. */
async function transferJob(deps: Pick<ActivityDeps, 'orm'>, jobId: string): Promise<WorkdriveTransferJob> {
  const job = await getJob(deps.orm.em.fork(), jobId);
  if (!job || job.kind !== 'workdrive-transfer')
    throw new ConfigError([`job "${jobId}" is not a workdrive-transfer job of the applied connections file`]);
  return job;
}

const runs = (deps: Pick<ActivityDeps, 'orm'>) => new TransferRunsRepository(deps.orm.em.fork());
const ledger = (deps: Pick<ActivityDeps, 'orm'>) => new WorkdriveTransfersRepository(deps.orm.em.fork());

async function recordOf(deps: Pick<ActivityDeps, 'orm'>, runId: string, recordId: string): Promise<TransferRecord> {
  const row = await runs(deps).get(runId, recordId);
  if (!row) throw new ConfigError([`record ${recordId} is not part of transfer run ${runId}`]);
  return row;
}

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** WorkDrive transfer activities on the main queue (our DB; run as local activities). */
export function createTransferStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  return classified({
    async transferBegin(input: { jobId: string }): Promise<TransferJobRef> {
      const job = await transferJob(deps, input.jobId);
      return {
        jobId: job.id,
        source: job.source,
        destinationCrm: job.destinationCrm,
        workdrive: job.workdrive,
        parallelRecords: job.parallelRecords,
      };
    },

    async transferRecordIds(input: { runId: string; afterSeq: number; limit: number }) {
      return runs(deps).recordIds(input.runId, input.afterSeq, input.limit);
    },

    /** The folder named like the record, from the run's folder list; none → the record is skipped. */
    async transferMatchFolder(input: { runId: string; recordId: string }): Promise<{ found: boolean }> {
      const row = await recordOf(deps, input.runId, input.recordId);
      const folder = row.name ? await runs(deps).folderFor(input.runId, row.name) : null;
      if (!folder) {
        await runs(deps).update(input.runId, input.recordId, {
          state: 'skipped',
          reason: `no folder named "${row.name ?? ''}" in the team folder (none is created)`,
        });
        return { found: false };
      }
      await runs(deps).update(input.runId, input.recordId, {
        folderId: folder.id,
        folderName: folder.name,
        folderUrl: folder.permalink,
      });
      return { found: true };
    },

    /**
     * Settles the record's state from what its steps left on its row. `error`: a step that failed for good (its
     * retries spent, or refused), with `copyFailed` when it was the copy of the files.
     */
    async transferFinishRecord(input: {
      runId: string;
      recordId: string;
      dryRun: boolean;
      error?: string;
      copyFailed?: boolean;
    }): Promise<TransferRecordResult> {
      const row = await recordOf(deps, input.runId, input.recordId);
      const files = row.files ?? [];
      const state =
        row.state === 'skipped'
          ? 'skipped'
          : recordState({
              folderFound: !!row.folderId,
              fieldsOk: row.destination === 'written' || row.destination === 'unchanged' || input.dryRun,
              dryRun: input.dryRun,
              files: input.copyFailed ? [...files, { outcome: 'failed' }] : files,
            });
      const reason = [row.reason, input.error].filter(Boolean).join('; ') || null;
      await runs(deps).update(input.runId, input.recordId, { state, reason });
      const count = (o: FileOutcome) => files.filter((f) => f.outcome === o).length;
      log.info('transfer record', { recordId: input.recordId, state, folderId: row.folderId, reason });
      return {
        state,
        uploaded: count('uploaded'),
        renamed: count('renamed'),
        alreadyThere: count('already-there'),
        failed: count('failed'),
        planned: count('planned'),
      };
    },
  });
}

/** Pages of a folder's files, all of them (names to avoid, and a lost upload to find). */
async function folderFiles(folders: FolderStore, folderId: string): Promise<RemoteFolderFile[]> {
  const files: RemoteFolderFile[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page = await folders.folderFiles(folderId, offset);
    files.push(...page.items);
    offset = page.nextOffset;
  }
  return files;
}

/**
 * What one attempt knows of the destination folder. The folder is listed only when it matters: a dry run (to plan
 * names), a claim left by an earlier attempt (its upload may have landed), or a name WorkDrive refused as taken.
 * A first upload of a fresh claim needs no listing: WorkDrive answers a taken name with a conflict, never renaming.
 */
class FolderView {
  private listing?: Promise<RemoteFolderFile[]>;
  /** Names known to be taken (lower-cased): listed ones, and what this attempt uploaded or was refused. */
  readonly taken = new Set<string>();

  constructor(
    private readonly folders: FolderStore,
    readonly folderId: string,
  ) {}

  files(): Promise<RemoteFolderFile[]> {
    this.listing ??= folderFiles(this.folders, this.folderId).then((files) => {
      for (const f of files) this.taken.add(f.name.toLowerCase());
      return files;
    });
    return this.listing;
  }
}

interface CopyContext {
  job: WorkdriveTransferJob;
  runId: string;
  recordId: string;
  folderId: string;
  records: ModuleRecords;
  folders: FolderStore;
  folder: FolderView;
  stamp: string;
}

/**
 * One attachment into the folder, exactly once. The ledger row is claimed with the final name before the upload;
 * a row already uploaded is left alone, and a claim whose file is in the folder under its final name and size (the
 * upload's answer was lost) is closed without uploading again.
 */
async function copyOne(
  deps: Pick<ActivityDeps, 'orm'>,
  c: CopyContext,
  att: RecordAttachment,
): Promise<TransferFileOutcome> {
  const base = { attachmentId: att.id, fileName: att.fileName, size: att.size };
  const key: TransferKey = { jobId: c.job.id, recordId: c.recordId, attachmentId: att.id };
  if (att.size === null)
    return { ...base, finalName: null, outcome: 'failed', reason: 'the CRM does not report the size of this file' };
  const taken = c.folder.taken;
  const fresh = !(await ledger(deps).get(key));
  let claim = await ledger(deps).claim(key, {
    fileName: att.fileName,
    size: att.size,
    folderId: c.folderId,
    finalName: uploadName(att.fileName, taken, c.stamp),
  });
  const outcomeOf = (name: string): FileOutcome => (name === att.fileName ? 'uploaded' : 'renamed');
  if (claim.state === 'uploaded') return { ...base, finalName: claim.finalName, outcome: 'already-there' };
  if (!fresh) {
    // An earlier attempt claimed it: its upload may have reached the folder with the answer lost on the way back.
    const files = await c.folder.files();
    const lost = files.find(
      (f) => claim.folderId === c.folderId && f.name === claim.finalName && f.size === Number(claim.size),
    );
    if (lost) {
      await ledger(deps).uploaded(key, lost.id);
      taken.add(lost.name.toLowerCase());
      return { ...base, finalName: claim.finalName, outcome: outcomeOf(claim.finalName) };
    }
    if (claim.folderId !== c.folderId || taken.has(claim.finalName.toLowerCase())) {
      // A claim for another folder, or its name is someone else's file now: the next free name.
      await ledger(deps).reclaim(key, { folderId: c.folderId, finalName: uploadName(att.fileName, taken, c.stamp) });
      claim = (await ledger(deps).get(key))!;
    }
  }
  let finalName = claim.finalName;
  for (let tries = 0; ; tries += 1) {
    try {
      const uploaded = await streamCopy(c, att, finalName);
      taken.add(finalName.toLowerCase());
      await ledger(deps).uploaded(key, uploaded.resourceId);
      return { ...base, finalName, outcome: outcomeOf(finalName) };
    } catch (err) {
      // The folder holds that name: list it (once) and take the next free name; a second refusal is an error.
      if (!(err instanceof ConflictError) || tries > 1) throw err;
      taken.add(finalName.toLowerCase());
      await c.folder.files();
      finalName = uploadName(att.fileName, taken, c.stamp);
      await ledger(deps).reclaim(key, { folderId: c.folderId, finalName });
    }
  }
}

/** CRM download piped into the WorkDrive upload: the bytes pass through, never whole in memory. */
async function streamCopy(c: CopyContext, att: RecordAttachment, finalName: string) {
  const res = await c.records.openAttachment(c.job.module, c.recordId, att.id);
  const body = res.body ?? (async function* () {})();
  try {
    return await c.folders.upload(c.folderId, finalName, body, att.size!);
  } finally {
    await res.body?.cancel().catch(() => undefined);
  }
}

/** WorkDrive transfer activities on a connection's queue: org A's CRM, org B's CRM and org B's WorkDrive. */
export function createTransferActivities(deps: ActivityDeps) {
  return classified({
    /** The team folder's subfolders into the run's folder list (one listing per run, not per record). */
    async transferIndexFolders(input: { runId: string; jobId: string }): Promise<{ folders: number }> {
      const job = await transferJob(deps, input.jobId);
      const folders = await deps.connectors.capability(job.workdrive, 'folders');
      let count = 0;
      await keepAlive(async () => {
        for (let offset: number | null = 0; offset !== null;) {
          const page = await folders.teamFolderChildren(job.teamFolderId, offset);
          await runs(deps).addFolders(input.runId, page.items);
          count += page.items.length;
          offset = page.nextOffset;
        }
      });
      return { folders: count };
    },

    /**
     * The records this run takes, listed before any is changed: org A records with the checkbox false and a name
     * (or the one `recordId`, whatever its checkbox), the first `limit` of them.
     */
    async transferListRecords(input: {
      runId: string;
      jobId: string;
      recordId?: string;
      limit?: number;
    }): Promise<{ records: number }> {
      const job = await transferJob(deps, input.jobId);
      const records = await deps.connectors.capability(job.source, 'records');
      const nameOf = (fields: Record<string, unknown>) => {
        const v = fields[job.fields.recordName];
        return typeof v === 'string' && v.trim() ? v : null;
      };
      if (input.recordId) {
        const record = await records.readRecord(job.module, input.recordId, [job.fields.recordName]);
        if (!record) throw new ConfigError([`${job.module} record ${input.recordId} does not exist in the source CRM`]);
        await runs(deps).addRecords(input.runId, job.id, [{ id: record.id, name: nameOf(record.fields) }], 0);
        return { records: 1 };
      }
      const limit = input.limit ?? Number.POSITIVE_INFINITY;
      let seq = 0;
      await keepAlive(async () => {
        for (let page: number | null = 1; page !== null && seq < limit;) {
          const res = await records.findRecords(
            job.module,
            { [job.fields.checkbox]: false },
            [job.fields.recordName, job.fields.checkbox],
            page,
          );
          const named = res.records
            .map((r) => ({ id: r.id, name: nameOf(r.fields) }))
            .filter((r) => r.name !== null)
            .slice(0, limit - seq);
          await runs(deps).addRecords(input.runId, job.id, named, seq);
          seq += named.length;
          page = res.nextPage;
        }
      });
      return { records: seq };
    },

    /**
     * The org B record of the same name gets the folder's URL and id and the org A record id; a record already
     * holding them is not written again. No record, or several, of that name: the record's step fails with why.
     */
    async transferWriteDestination(input: TransferRecordInput): Promise<{ ok: boolean }> {
      const job = await transferJob(deps, input.job.jobId);
      const row = await recordOf(deps, input.runId, input.recordId);
      const crm = await deps.connectors.capability(job.destinationCrm, 'records');
      const f = job.fields;
      const wanted = {
        [f.workdriveUrl]: row.folderUrl,
        [f.workdriveFolderId]: row.folderId,
        [f.recordUpdatedFrom]: input.recordId,
      };
      const { records: found } = await crm.findRecords(
        job.module,
        { [f.recordName]: row.name! },
        [f.recordName, f.workdriveUrl, f.workdriveFolderId, f.recordUpdatedFrom],
        1,
      );
      const exact = found.filter((r) => r.fields[f.recordName] === row.name);
      const matches = exact.length ? exact : found;
      const fail = async (reason: string) => {
        await runs(deps).update(input.runId, input.recordId, { destination: 'failed', reason });
        return { ok: false };
      };
      if (matches.length === 0) return fail(`no ${job.module} record named "${row.name}" in the destination CRM`);
      if (matches.length > 1)
        return fail(`${matches.length} ${job.module} records named "${row.name}" in the destination CRM; keep one`);
      const target = matches[0]!;
      const same = Object.entries(wanted).every(([k, v]) => (target.fields[k] ?? null) === v);
      if (same || input.dryRun) {
        await runs(deps).update(input.runId, input.recordId, { destination: same ? 'unchanged' : 'planned' });
        return { ok: true };
      }
      const result = await crm.updateRecord(job.module, target.id, wanted);
      if (!result.ok)
        return fail(`the destination CRM refused the folder fields of record ${target.id}: ${result.message}`);
      await runs(deps).update(input.runId, input.recordId, { destination: 'written' });
      return { ok: true };
    },

    /**
     * Every attachment of the record into its folder, one after another. A file the CRM or WorkDrive refuses is
     * marked failed with the reason and the others go on; a failure worth retrying fails the attempt, and the retry
     * finds what is already done in the ledger. A dry run plans the names and writes nothing.
     */
    async transferCopyFiles(input: TransferRecordInput): Promise<{ files: number }> {
      const job = await transferJob(deps, input.job.jobId);
      const row = await recordOf(deps, input.runId, input.recordId);
      const [records, folders] = await Promise.all([
        deps.connectors.capability(job.source, 'records'),
        deps.connectors.capability(job.workdrive, 'folders'),
      ]);
      const attachments = await records.attachments(job.module, input.recordId);
      const c: CopyContext = {
        job,
        runId: input.runId,
        recordId: input.recordId,
        folderId: row.folderId!,
        records,
        folders,
        folder: new FolderView(folders, row.folderId!),
        stamp: timestamp(new Date(), job.timeZone),
      };
      const outcomes: TransferFileOutcome[] = [];
      await keepAlive(async () => {
        for (const att of attachments) {
          outcomes.push(input.dryRun ? await planOne(deps, c, att) : await copyOrFail(deps, c, att));
          await runs(deps).setFiles(input.runId, input.recordId, outcomes);
        }
      });
      return { files: outcomes.length };
    },

    /** Ticks the org A checkbox when at least one of the record's attachments is in the folder. */
    async transferTick(input: TransferRecordInput): Promise<{ ticked: boolean }> {
      const job = await transferJob(deps, input.job.jobId);
      const row = await recordOf(deps, input.runId, input.recordId);
      const inFolder = shouldTick(row.files ?? []) || (await ledger(deps).uploadedCount(job.id, input.recordId)) > 0;
      if (!inFolder || input.dryRun) return { ticked: false };
      const records = await deps.connectors.capability(job.source, 'records');
      const result = await records.updateRecord(job.module, input.recordId, { [job.fields.checkbox]: true });
      if (!result.ok) {
        await runs(deps).update(input.runId, input.recordId, {
          reason: `the source CRM refused the checkbox: ${result.message}`,
        });
        return { ticked: false };
      }
      await runs(deps).update(input.runId, input.recordId, { checkboxSet: true });
      return { ticked: true };
    },
  });
}

/** A refusal of one file (too large, gone, a size that does not match) is that file's outcome; others propagate. */
async function copyOrFail(
  deps: Pick<ActivityDeps, 'orm'>,
  c: CopyContext,
  att: RecordAttachment,
): Promise<TransferFileOutcome> {
  try {
    return await copyOne(deps, c, att);
  } catch (err) {
    if (dispositionOf(err) !== 'item') throw err;
    const reason = message(err);
    await ledger(deps).failed({ jobId: c.job.id, recordId: c.recordId, attachmentId: att.id }, reason);
    log.warn('transfer file failed', { recordId: c.recordId, attachmentId: att.id, reason });
    return { attachmentId: att.id, fileName: att.fileName, size: att.size, finalName: null, outcome: 'failed', reason };
  }
}

/** What a real run would do with the file: nothing when the ledger has it, else upload under this name. */
async function planOne(
  deps: Pick<ActivityDeps, 'orm'>,
  c: CopyContext,
  att: RecordAttachment,
): Promise<TransferFileOutcome> {
  const base = { attachmentId: att.id, fileName: att.fileName, size: att.size };
  const done = await ledger(deps).get({ jobId: c.job.id, recordId: c.recordId, attachmentId: att.id });
  if (done?.state === 'uploaded') return { ...base, finalName: done.finalName, outcome: 'already-there' };
  await c.folder.files();
  const finalName = uploadName(att.fileName, c.folder.taken, c.stamp);
  c.folder.taken.add(finalName.toLowerCase());
  return { ...base, finalName, outcome: 'planned' };
}
