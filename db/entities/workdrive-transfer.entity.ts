import { defineEntity, p } from '@mikro-orm/postgresql';

export const TRANSFER_FILE_STATES = ['claimed', 'uploaded', 'failed'] as const;
export type TransferFileState = (typeof TRANSFER_FILE_STATES)[number];

/**
 * The ledger that makes WorkDrive uploads exactly-once: one row per (job, record, attachment). It is claimed with
 * the final name before the upload and holds WorkDrive's resource id after. A claimed row without one means the
 * upload's answer may have been lost: the folder is searched for that name and size before uploading again.
 */
export const WorkdriveTransferSchema = defineEntity({
  name: 'WorkdriveTransfer',
  tableName: 'workdrive_transfers',
  properties: {
    jobId: p.string().length(63).primary(),
    recordId: p.string().length(64).primary(),
    attachmentId: p.string().length(64).primary(),
    fileName: p.string().length(255),
    size: p.bigint('number'),
    folderId: p.string().length(64),
    /** The name it has in the folder: the attachment's, or `name_YYYYMMDD_HHMMSS.ext` when that was taken. */
    finalName: p.string().length(255),
    resourceId: p.string().length(64).nullable(),
    state: p.string().length(16).$type<TransferFileState>(),
    error: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class WorkdriveTransfer extends WorkdriveTransferSchema.class {}
WorkdriveTransferSchema.setClass(WorkdriveTransfer);
