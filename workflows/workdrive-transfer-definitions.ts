import type { RecordState } from '../domain/workdrive-transfer.js';

/** What starts a transfer: a job of the connections file, and the existing script's options. */
export interface WorkdriveTransferInput {
  jobId: string;
  dryRun?: boolean;
  /** Just this org A record (whatever its checkbox). */
  recordId?: string;
  /** The first N records that need transferring. */
  limit?: number;
  /** Set by continue-as-new: where the run's record list continues, and the counts so far. */
  next?: { afterSeq: number; counts: TransferCounts; total: number };
}

export interface TransferCounts {
  records: number;
  done: number;
  partial: number;
  failed: number;
  skipped: number;
  planned: number;
  filesUploaded: number;
  filesRenamed: number;
  filesAlreadyThere: number;
  filesFailed: number;
  filesPlanned: number;
}
export const ZERO_TRANSFER_COUNTS: TransferCounts = {
  records: 0,
  done: 0,
  partial: 0,
  failed: 0,
  skipped: 0,
  planned: 0,
  filesUploaded: 0,
  filesRenamed: 0,
  filesAlreadyThere: 0,
  filesFailed: 0,
  filesPlanned: 0,
};

/** The connections a job joins, as the run resolved them from the applied connections file. */
export interface TransferJobRef {
  jobId: string;
  source: string;
  destinationCrm: string;
  workdrive: string;
  parallelRecords: number;
}

export interface TransferRecordInput {
  /** The parent's first run id: the key of its record list. */
  runId: string;
  recordId: string;
  dryRun: boolean;
  job: TransferJobRef;
}

/** How one record ended, in counts (its files and reasons are in `workdrive_transfer_records`). */
export interface TransferRecordResult {
  state: RecordState;
  uploaded: number;
  renamed: number;
  alreadyThere: number;
  failed: number;
  planned: number;
}
