import { changedSinceBase, type LeadValues } from './lead-fields.js';
import type { LeadSyncOptions } from './lead-policy.js';

export type LeadSyncState = 'synced' | 'pending' | 'conflict' | 'error';

export interface LeadStateInput {
  values: LeadValues;
  base: Partial<LeadValues> | null;
  zohoId: string | null;
  deleted: boolean;
  zohoDeleted: boolean;
  openConflicts: number;
}

/**
 * Where a lead stands after any change: open conflicts block it; a local delete waits for Zoho's (by policy);
 * a lead never pushed, or with values that differ from the agreed base, waits for a push.
 */
export function leadStateOf(lead: LeadStateInput, options: Pick<LeadSyncOptions, 'localDeletes'>): LeadSyncState {
  if (lead.openConflicts > 0) return 'conflict';
  if (lead.deleted) return lead.zohoId && !lead.zohoDeleted && options.localDeletes === 'delete' ? 'pending' : 'synced';
  if (!lead.base) return 'pending';
  return changedSinceBase(lead.values, lead.base).length > 0 ? 'pending' : 'synced';
}
