import type { ExtractDomain } from '../domain/extract-fields.js';
import type { ExtractPosition } from '../domain/sync-positions.js';

/** Shapes that cross the extract workflow's boundary: domains, positions and counts, never record values. */

export interface CrmExtractInput {
  connectionId: string;
  /** Domains to read, in this order; default all three. */
  domains?: ExtractDomain[];
  /** Re-read everything, withdraw what the CRM no longer has, recompute every aggregate. */
  full?: boolean;
  /** Activities per run before continuing as new (default 20). */
  activitiesPerRun?: number;
  /** Pages per activity (default 50). */
  pagesPerActivity?: number;
}

export interface ExtractCounts {
  pages: number;
  received: number;
  duplicates: number;
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  rejected: number;
  withdrawn: number;
  removed: number;
}
export const zeroExtractCounts = (): ExtractCounts => ({
  pages: 0,
  received: 0,
  duplicates: 0,
  created: 0,
  updated: 0,
  unchanged: 0,
  stale: 0,
  rejected: 0,
  withdrawn: 0,
  removed: 0,
});

export interface ExtractPlan {
  /** Per domain: read records modified since (ISO), or all (null). */
  since: Partial<Record<ExtractDomain, string | null>>;
  timeZone: string;
}

export interface ExtractPagesInput {
  connectionId: string;
  runId: string;
  domain: ExtractDomain;
  /** Null: the first page of the domain, from `since`. */
  position: ExtractPosition | null;
  since: string | null;
  maxPages?: number;
}
export interface ExtractPagesResult {
  next: ExtractPosition | null;
  pages: number;
  counts: Omit<ExtractCounts, 'pages' | 'removed'>;
  /** The newest CRM modification time read (ms), for the domain's cursor. */
  newest: number | null;
}

export interface AggregatesResult {
  written: number;
  removed: number;
  /** Periods recomputed (incremental) or null for a full recompute. */
  periods: number | null;
}

export interface CrmExtractCarry {
  plan: ExtractPlan;
  domainIndex: number;
  position: ExtractPosition | null;
  newest: number | null;
  counts: ExtractCounts;
  perDomain: Partial<Record<ExtractDomain, ExtractCounts>>;
}

export interface CrmExtractResult extends ExtractCounts {
  connectionId: string;
  full: boolean;
  domains: ExtractDomain[];
  perDomain: Partial<Record<ExtractDomain, ExtractCounts>>;
  aggregates: AggregatesResult;
}

/** A checked `records update` (domain/extract-update.ts): the key, its value and the new values, already cast. */
export interface RecordsUpdateInput {
  connectionId: string;
  plan: {
    domain: ExtractDomain;
    key: string;
    keyValue: string | number | null;
    set: Record<string, string | number | null>;
  };
  dryRun?: boolean;
}
export interface RecordsUpdateCounts {
  matched: number;
  updated: number;
  failed: number;
  batches: number;
}
export interface RecordsUpdateResult extends RecordsUpdateCounts {
  connectionId: string;
  dryRun: boolean;
  /** Dry run: the first matching CRM ids. */
  sample?: string[];
}
