import { defineSignal } from '@temporalio/workflow';
import type { LeadPullPosition } from '../domain/sync-positions.js';

/** Shapes that cross the lead-sync workflows' boundary: ids, cursors and counts, never lead values. */

/** Sent on every local create/update/delete (signal-with-start), so one push per connection drains them. */
export const leadsChangedSignal = defineSignal<[]>('leadsChanged');

export interface LeadPushInput {
  connectionId: string;
  leadIds?: number[];
  dryRun?: boolean;
}
export interface LeadPushCounts {
  batches: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  errors: number;
}
export const zeroPushCounts = (): LeadPushCounts => ({
  batches: 0,
  created: 0,
  updated: 0,
  deleted: 0,
  unchanged: 0,
  errors: 0,
});
export interface LeadPushResult extends LeadPushCounts {
  connectionId: string;
  dryRun: boolean;
}

export interface LeadPushBatchInput {
  connectionId: string;
  runId: string;
  workflowId: string;
  afterId: number;
  leadIds?: number[];
  dryRun: boolean;
}
export interface LeadPushBatchResult {
  lastId: number;
  more: boolean;
  counts: Omit<LeadPushCounts, 'batches'>;
}

/**
 * Where a pull stands in Zoho's listing of leads by Modified_Time: `since` is the If-Modified-Since of the query;
 * `page` goes deeper only while a whole page shares one second, and past 2,000 records `pageToken` takes over.
 */
export type { LeadPullPosition };

export interface LeadPullInput {
  connectionId: string;
  dryRun?: boolean;
  /** Ignore the cursor and read every lead. */
  full?: boolean;
  /** Activities per run before continuing as new (default 20); small values keep tests of continue-as-new quick. */
  activitiesPerRun?: number;
  /** Pages per activity (default 50). */
  pagesPerActivity?: number;
}
export interface LeadPullCounts {
  pages: number;
  received: number;
  created: number;
  updated: number;
  linked: number;
  conflicts: number;
  unchanged: number;
  stale: number;
  skipped: number;
  errors: number;
  deleted: number;
  detached: number;
}
export const zeroPullCounts = (): LeadPullCounts => ({
  pages: 0,
  received: 0,
  created: 0,
  updated: 0,
  linked: 0,
  conflicts: 0,
  unchanged: 0,
  stale: 0,
  skipped: 0,
  errors: 0,
  deleted: 0,
  detached: 0,
});
export interface LeadPullPlan {
  since: string | null;
  deletedSince: string | null;
}
export interface LeadPullCarry {
  plan: LeadPullPlan;
  phase: 'modified' | 'deleted';
  position: LeadPullPosition;
  deletedPage: number;
  counts: LeadPullCounts;
}
export interface LeadPullResult extends LeadPullCounts {
  connectionId: string;
  dryRun: boolean;
  pendingPush: number;
}

export interface LeadPullPageInput {
  connectionId: string;
  runId: string;
  workflowId: string;
  position: LeadPullPosition;
  dryRun: boolean;
  maxPages?: number;
}
export interface LeadPullPageResult {
  next: LeadPullPosition | null;
  pages: number;
  counts: Omit<LeadPullCounts, 'pages' | 'deleted' | 'detached'>;
}
export interface LeadPullDeletesInput {
  connectionId: string;
  runId: string;
  workflowId: string;
  since: string | null;
  page: number;
  dryRun: boolean;
}
export interface LeadPullDeletesResult {
  nextPage: number | null;
  counts: { received: number; deleted: number; detached: number };
}
