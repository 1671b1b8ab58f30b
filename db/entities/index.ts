export { CrmConnection, CrmConnectionSchema } from './crm-connection.entity.js';
export { Deal, DealSchema } from './deal.entity.js';
export {
  AGGREGATION_TYPES,
  type AggregationType,
  DealAggregation,
  DealAggregationDirty,
  DealAggregationDirtySchema,
  DealAggregationSchema,
  ExtractAccount,
  ExtractAccountSchema,
  ExtractContact,
  ExtractContactSchema,
  ExtractReject,
  ExtractRejectSchema,
} from './extract.entity.js';
export { DryRunSeen, DryRunSeenSchema } from './dry-run-seen.entity.js';
export { FileMetadata, FileMetadataSchema } from './file-metadata.entity.js';
export { Lead, LeadSchema, LEAD_SYNC_STATES, type LeadSyncState } from './lead.entity.js';
export { LeadConflict, LeadConflictSchema } from './lead-conflict.entity.js';
export { SyncCursor, SyncCursorSchema } from './sync-cursor.entity.js';
export { OAuthToken, OAuthTokenSchema } from './oauth-token.entity.js';
export { SyncEvent, SyncEventSchema } from './sync-event.entity.js';
export { SyncRun, SyncRunSchema, SYNC_RUN_STATUSES, type SyncRunStatus } from './sync-run.entity.js';
export { SyncJob, SyncJobSchema } from './sync-job.entity.js';
export {
  CrmUpdateRequest,
  CrmUpdateRequestSchema,
  REQUEST_STATUSES,
  type RequestStatus,
  SiRequest,
  SiRequestSchema,
} from './integration-request.entity.js';
export {
  ChangeOrderNote,
  ChangeOrderNoteSchema,
  PROJECT_STATES,
  ProjectLink,
  ProjectLinkSchema,
  type ProjectState,
} from './project-link.entity.js';
export {
  TRANSFER_FILE_STATES,
  type TransferFileState,
  WorkdriveTransfer,
  WorkdriveTransferSchema,
} from './workdrive-transfer.entity.js';
export {
  type DestinationWrite,
  type TransferFileOutcome,
  TransferFolder,
  TransferFolderSchema,
  TransferRecord,
  TransferRecordSchema,
  type TransferRecordState,
} from './workdrive-transfer-run.entity.js';

import { CrmConnectionSchema } from './crm-connection.entity.js';
import { DealSchema } from './deal.entity.js';
import {
  DealAggregationDirtySchema,
  DealAggregationSchema,
  ExtractAccountSchema,
  ExtractContactSchema,
  ExtractRejectSchema,
} from './extract.entity.js';
import { DryRunSeenSchema } from './dry-run-seen.entity.js';
import { FileMetadataSchema } from './file-metadata.entity.js';
import { LeadSchema } from './lead.entity.js';
import { LeadConflictSchema } from './lead-conflict.entity.js';
import { SyncCursorSchema } from './sync-cursor.entity.js';
import { OAuthTokenSchema } from './oauth-token.entity.js';
import { SyncEventSchema } from './sync-event.entity.js';
import { SyncRunSchema } from './sync-run.entity.js';
import { SyncJobSchema } from './sync-job.entity.js';
import { CrmUpdateRequestSchema, SiRequestSchema } from './integration-request.entity.js';
import { ChangeOrderNoteSchema, ProjectLinkSchema } from './project-link.entity.js';
import { WorkdriveTransferSchema } from './workdrive-transfer.entity.js';
import { TransferFolderSchema, TransferRecordSchema } from './workdrive-transfer-run.entity.js';

export const entities = [
  CrmConnectionSchema,
  SyncRunSchema,
  SyncEventSchema,
  OAuthTokenSchema,
  DealSchema,
  FileMetadataSchema,
  SyncCursorSchema,
  DryRunSeenSchema,
  LeadSchema,
  LeadConflictSchema,
  SyncJobSchema,
  SiRequestSchema,
  CrmUpdateRequestSchema,
  ProjectLinkSchema,
  ChangeOrderNoteSchema,
  WorkdriveTransferSchema,
  TransferRecordSchema,
  TransferFolderSchema,
  ExtractAccountSchema,
  ExtractContactSchema,
  ExtractRejectSchema,
  DealAggregationSchema,
  DealAggregationDirtySchema,
];
