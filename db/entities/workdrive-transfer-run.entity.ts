import { defineEntity, p } from '@mikro-orm/postgresql';
import type { FileOutcome, RecordState } from '../../domain/workdrive-transfer.js';

export type TransferRecordState = 'pending' | RecordState;
export type DestinationWrite = 'written' | 'unchanged' | 'planned' | 'failed';

/** One attachment's outcome in one run (the ledger, `workdrive_transfers`, holds what is true across runs). */
export interface TransferFileOutcome {
  attachmentId: string;
  fileName: string;
  size: number | null;
  finalName: string | null;
  outcome: FileOutcome;
  reason?: string;
}

/**
 * The records one run of a transfer takes, in the order it found them, and how each ended: the run lists its
 * records here first (a search whose matches shrink as records are ticked cannot be paged while it changes), then
 * runs one child workflow per record. Keyed by the run's first run id (it survives continue-as-new).
 */
export const TransferRecordSchema = defineEntity({
  name: 'TransferRecord',
  tableName: 'workdrive_transfer_records',
  properties: {
    runId: p.string().length(64).primary(),
    recordId: p.string().length(64).primary(),
    jobId: p.string().length(63),
    seq: p.integer(),
    name: p.text().nullable(),
    state: p.string().length(16).$type<TransferRecordState>(),
    folderId: p.string().length(64).nullable(),
    folderName: p.text().nullable(),
    folderUrl: p.text().nullable(),
    destination: p.string().length(16).$type<DestinationWrite>().nullable(),
    checkboxSet: p.boolean().default(false),
    files: p.json<TransferFileOutcome[]>().nullable(),
    reason: p.text().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  indexes: [{ properties: ['runId', 'seq'] }],
});
export class TransferRecord extends TransferRecordSchema.class {}
TransferRecordSchema.setClass(TransferRecord);

/** The team folder's subfolders as one run listed them, so matching a record to its folder is a lookup. */
export const TransferFolderSchema = defineEntity({
  name: 'TransferFolder',
  tableName: 'workdrive_transfer_folders',
  properties: {
    runId: p.string().length(64).primary(),
    folderId: p.string().length(64).primary(),
    name: p.text(),
    nameLower: p.text(),
    modifiedMs: p.bigint('number').nullable(),
    permalink: p.text().nullable(),
  },
  indexes: [{ properties: ['runId', 'nameLower'] }],
});
export class TransferFolder extends TransferFolderSchema.class {}
TransferFolderSchema.setClass(TransferFolder);
