import { defineQuery } from '@temporalio/workflow';
import type { FileSyncCursor } from '../domain/sync-positions.js';
import type { FileProvider } from '../domain/providers.js';

/** Names, queues and the plain-JSON shapes that cross the workflow boundary. No class instances, no Dates. */

/** Activities that talk to one connection's CRM run on its own queue, so its rate budget is shared by all workers. */
export const connectionQueue = (connectionId: string): string => `crm.${connectionId}`;

export const SYNC_KINDS = [
  'connection-check',
  'file-sync',
  'file-sync-all',
  'lead-pull',
  'lead-push',
  'deal-to-project',
  'project-updates',
  'workdrive-transfer',
  'crm-extract',
  'records-update',
] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** Workflow ids are business keys, so a second start of the same job finds the running one. */
export const workflowIds = {
  connectionCheck: (connectionId: string) => `connection-check:${connectionId}`,
  fileSync: (connectionId: string) => `file-sync:${connectionId}`,
  fileSyncAll: () => 'file-sync-all',
  leadPull: (connectionId: string) => `lead-pull:${connectionId}`,
  leadPush: (connectionId: string) => `lead-push:${connectionId}`,
  /** One at a time per deal and job (a deal may be linked to projects of two SI accounts through two jobs). */
  dealToProject: (jobId: string, dealId: string) => `deal-to-project:${jobId}:${dealId}`,
  /** One at a time per job, whether a request or the poll asks. */
  projectUpdates: (jobId: string) => `project-updates:${jobId}`,
  /** One at a time per job; each record of a run is a child of its own. */
  workdriveTransfer: (jobId: string) => `workdrive-transfer:${jobId}`,
  workdriveTransferRecord: (jobId: string, recordId: string) => `workdrive-transfer:${jobId}:${recordId}`,
  /** One at a time per connection, whoever starts it (API, CLI, schedule). */
  crmExtract: (connectionId: string) => `crm-extract:${connectionId}`,
  /** Keyed by what it writes: the same update asked twice joins the first. */
  recordsUpdate: (connectionId: string, planKey: string) => `records-update:${connectionId}:${planKey}`,
  /** A dry run never shares an id with the real job, so neither can stand in for the other. */
  dryRun: (workflowId: string) => `${workflowId}:dry-run`,
};

export interface Progress {
  phase: string;
  done: number;
  total: number | null;
  message?: string;
  counts?: Record<string, number>;
}
export const progressQuery = defineQuery<Progress>('progress');

export interface ConnectionCheckInput {
  connectionId: string;
}
export interface ConnectionCheckOutcome {
  connectionId: string;
  provider: string;
  /** What was verified, e.g. "token refresh + 1-record read". */
  verified: string;
  /** Zoho: whether this check minted a new access token. */
  tokenRefreshed?: boolean;
  latencyMs: number;
}
export type ConnectionCheckResult = ConnectionCheckOutcome;

export interface RunStartInput {
  workflowId: string;
  runId: string;
  kind: SyncKind;
  connectionId: string | null;
  startedAt: string;
}
export interface RunFinishInput {
  workflowId: string;
  runId: string;
  connectionId: string | null;
  status: 'completed' | 'failed' | 'canceled';
  counts?: Record<string, number>;
  result?: Record<string, unknown>;
  error?: { type: string; message: string };
}

export type FileSyncMode = 'incremental' | 'full';
export interface FileSyncInput {
  connectionId: string;
  mode: FileSyncMode;
  dealIds?: string[];
  fileIds?: string[];
  downloadContent?: boolean;
  dryRun?: boolean;
  /** Pages per run before continuing as new (default 20); small values keep tests of continue-as-new quick. */
  pagesPerRun?: number;
}

export type { FileSyncCursor };

export interface FileCounts {
  pages: number;
  deals: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  duplicates: number;
  downloaded: number;
  errors: number;
}
export const zeroCounts = (): FileCounts => ({
  pages: 0,
  deals: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  deleted: 0,
  duplicates: 0,
  downloaded: 0,
  errors: 0,
});

export interface FileSyncPlan {
  provider: FileProvider;
  since: string | null;
  start: FileSyncCursor;
}

export interface FileSyncPageInput {
  connectionId: string;
  runId: string;
  workflowId: string;
  mode: FileSyncMode;
  cursor: FileSyncCursor;
  since: string | null;
  dealIds?: string[];
  fileIds?: string[];
  dryRun: boolean;
  downloadContent: boolean;
}
export interface FileSyncPageResult {
  next: FileSyncCursor | null;
  counts: Pick<FileCounts, 'deals' | 'created' | 'updated' | 'unchanged' | 'errors'>;
  /** CRM ids of this page's files that have no content yet (only when downloading). */
  needContent: string[];
  /** Deals whose files are still to be listed (Zoho: one call per deal, done by fileSyncDealFiles). */
  pendingDeals: string[];
}

export interface FileSyncDealFilesInput {
  connectionId: string;
  runId: string;
  workflowId: string;
  dealIds: string[];
  fileIds?: string[];
  dryRun: boolean;
  downloadContent: boolean;
}

/** State carried across continue-as-new. */
export interface FileSyncCarry {
  cursor: FileSyncCursor;
  since: string | null;
  counts: FileCounts;
  startedAt: string;
}

export interface FileSyncResult extends FileCounts {
  connectionId: string;
  mode: FileSyncMode;
  dryRun: boolean;
  softDeleteSkipped?: string;
}

export interface FileSyncAllInput {
  mode: FileSyncMode;
  downloadContent?: boolean;
  dryRun?: boolean;
  provider?: FileProvider;
}
export interface FileSyncAllResult {
  connections: Array<{
    connectionId: string;
    status: 'completed' | 'failed' | 'already-running';
    counts?: FileCounts;
    error?: string;
  }>;
}
