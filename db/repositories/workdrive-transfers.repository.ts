import type { EntityManager } from '@mikro-orm/postgresql';
import { WorkdriveTransfer } from '../entities/index.js';

export interface TransferKey {
  jobId: string;
  recordId: string;
  attachmentId: string;
}

/** The WorkDrive transfer ledger: one row per attachment, claimed before its upload, closed after. */
export class WorkdriveTransfersRepository {
  constructor(private readonly em: EntityManager) {}

  async ofRecord(jobId: string, recordId: string): Promise<WorkdriveTransfer[]> {
    return this.em.find(WorkdriveTransfer, { jobId, recordId }, { orderBy: { attachmentId: 'asc' } });
  }

  /**
   * Claims an attachment under the name it will have in the folder. A row already there is returned as it is (an
   * earlier run's claim keeps its final name, so a retry looks for the same file rather than pick a new one).
   */
  async claim(
    key: TransferKey,
    file: { fileName: string; size: number; folderId: string; finalName: string },
  ): Promise<WorkdriveTransfer> {
    await this.em
      .createQueryBuilder(WorkdriveTransfer)
      .insert({ ...key, ...file, state: 'claimed', createdAt: new Date(), updatedAt: new Date() })
      .onConflict(['jobId', 'recordId', 'attachmentId'])
      .ignore()
      .execute('run');
    return this.em.findOneOrFail(WorkdriveTransfer, key, { refresh: true });
  }

  get(key: TransferKey): Promise<WorkdriveTransfer | null> {
    return this.em.findOne(WorkdriveTransfer, key, { refresh: true });
  }

  /** A claim not uploaded yet takes another name or folder (its name was taken meanwhile, or the folder changed). */
  async reclaim(key: TransferKey, file: { folderId: string; finalName: string }): Promise<void> {
    await this.em.nativeUpdate(
      WorkdriveTransfer,
      { ...key, state: { $ne: 'uploaded' } },
      { ...file, state: 'claimed' },
    );
  }

  /** How many of the record's attachments are in their folder, by this run or an earlier one. */
  uploadedCount(jobId: string, recordId: string): Promise<number> {
    return this.em.count(WorkdriveTransfer, { jobId, recordId, state: 'uploaded' });
  }

  async uploaded(key: TransferKey, resourceId: string): Promise<void> {
    await this.em.nativeUpdate(WorkdriveTransfer, key, { state: 'uploaded', resourceId, error: null });
  }

  /** A failed upload keeps its claim (name and folder), so fixing the cause and running again retries it. */
  async failed(key: TransferKey, error: string): Promise<void> {
    await this.em.nativeUpdate(WorkdriveTransfer, { ...key, state: { $ne: 'uploaded' } }, { state: 'failed', error });
  }
}
