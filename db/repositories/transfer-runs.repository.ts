import type { EntityManager } from '@mikro-orm/postgresql';
import { matchFolder } from '../../domain/workdrive-transfer.js';
import {
  type TransferFileOutcome,
  TransferFolder,
  TransferRecord,
  type TransferRecordState,
} from '../entities/index.js';

export type TransferRecordPatch = Partial<
  Pick<
    TransferRecord,
    'state' | 'folderId' | 'folderName' | 'folderUrl' | 'destination' | 'checkboxSet' | 'files' | 'reason' | 'name'
  >
>;

/** One run of a WorkDrive transfer: the records it takes (in order), the folders it listed, how each record ended. */
export class TransferRunsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Adds records at positions `firstSeq`…; a retried listing finds its rows there and adds nothing. */
  async addRecords(
    runId: string,
    jobId: string,
    records: Array<{ id: string; name: string | null }>,
    firstSeq: number,
  ): Promise<void> {
    if (records.length === 0) return;
    await this.em
      .createQueryBuilder(TransferRecord)
      .insert(
        records.map((r, i) => ({
          runId,
          jobId,
          recordId: r.id,
          seq: firstSeq + i,
          name: r.name,
          state: 'pending' as const,
          checkboxSet: false,
          updatedAt: new Date(),
        })),
      )
      .onConflict(['runId', 'recordId'])
      .ignore()
      .execute('run');
  }

  count(runId: string): Promise<number> {
    return this.em.count(TransferRecord, { runId });
  }

  /** The next record ids after position `afterSeq`, in order. */
  async recordIds(runId: string, afterSeq: number, limit: number): Promise<Array<{ recordId: string; seq: number }>> {
    const rows = await this.em.find(
      TransferRecord,
      { runId, seq: { $gt: afterSeq } },
      { orderBy: { seq: 'asc' }, limit, fields: ['recordId', 'seq'] },
    );
    return rows.map((r) => ({ recordId: r.recordId, seq: r.seq }));
  }

  get(runId: string, recordId: string): Promise<TransferRecord | null> {
    return this.em.findOne(TransferRecord, { runId, recordId }, { refresh: true });
  }

  async update(runId: string, recordId: string, patch: TransferRecordPatch): Promise<void> {
    await this.em.nativeUpdate(TransferRecord, { runId, recordId }, { ...patch, updatedAt: new Date() });
  }

  async setFiles(runId: string, recordId: string, files: TransferFileOutcome[]): Promise<void> {
    await this.update(runId, recordId, { files });
  }

  ofRun(runId: string, opts: { limit?: number; afterSeq?: number; state?: TransferRecordState } = {}) {
    return this.em.find(
      TransferRecord,
      { runId, seq: { $gt: opts.afterSeq ?? -1 }, ...(opts.state ? { state: opts.state } : {}) },
      { orderBy: { seq: 'asc' }, limit: opts.limit },
    );
  }

  async addFolders(
    runId: string,
    folders: Array<{ id: string; name: string; modifiedMs: number | null; permalink: string | null }>,
  ): Promise<void> {
    if (folders.length === 0) return;
    await this.em
      .createQueryBuilder(TransferFolder)
      .insert(
        folders.map((f) => ({
          runId,
          folderId: f.id,
          name: f.name,
          nameLower: f.name.toLowerCase(),
          modifiedMs: f.modifiedMs,
          permalink: f.permalink,
        })),
      )
      .onConflict(['runId', 'folderId'])
      .ignore()
      .execute('run');
  }

  /** The run's folder for a record name (domain/workdrive-transfer.ts `matchFolder`), or null. */
  async folderFor(
    runId: string,
    recordName: string,
  ): Promise<{ id: string; name: string; modifiedMs: number | null; permalink: string | null } | null> {
    const named = await this.em.find(TransferFolder, { runId, nameLower: recordName.toLowerCase() });
    return matchFolder(
      recordName,
      named.map((f) => ({
        id: f.folderId,
        name: f.name,
        modifiedMs: f.modifiedMs ?? null,
        permalink: f.permalink ?? null,
      })),
    );
  }
}
