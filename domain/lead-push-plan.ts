import { changedSinceBase, type LeadField, type LeadValues } from './lead-fields.js';
import type { LeadSyncOptions } from './lead-policy.js';

/** One pending lead, as the push plan needs it. */
export interface PushLead {
  id: number;
  zohoId: string | null;
  values: LeadValues;
  base: Partial<LeadValues> | null;
  deletedAt: Date | null;
  zohoDeletedAt: Date | null;
}

/**
 * A lead the push settles without a call to Zoho, as the push records its answers: `deleted` for a local delete Zoho
 * needs no call for, `written` with nothing sent for a linked lead that holds nothing new since the base.
 */
export type PushNoop =
  | { leadId: number; kind: 'deleted' }
  | { leadId: number; kind: 'written'; sent: Partial<LeadValues>; complete: false; zohoId: string; modifiedAt: null };

/** A batch of pending leads sorted into Zoho's three write calls and what needs none. */
export interface PushPlan<T> {
  creates: T[];
  /** Linked leads, with the fields that differ from the base (only those are sent). */
  updates: Array<{ row: T; fields: LeadField[] }>;
  deletes: T[];
  noops: PushNoop[];
}

/**
 * Sorts a batch of pending leads (`leadOf` gives the rule's view of each row): a local delete of a lead linked to a
 * Zoho lead not yet deleted there is deleted in Zoho when the `localDeletes` policy is `delete`, and needs no call
 * otherwise; a lead without a Zoho id is created; a linked one is updated with its fields changed since the base, or
 * needs no call when none changed. Pure; the order of the batch is kept within each list.
 */
export function planPush<T>(
  rows: T[],
  leadOf: (row: T) => PushLead,
  options: Pick<LeadSyncOptions, 'localDeletes'>,
): PushPlan<T> {
  const plan: PushPlan<T> = { creates: [], updates: [], deletes: [], noops: [] };
  for (const row of rows) {
    const lead = leadOf(row);
    if (lead.deletedAt) {
      if (lead.zohoId && !lead.zohoDeletedAt && options.localDeletes === 'delete') plan.deletes.push(row);
      else plan.noops.push({ leadId: lead.id, kind: 'deleted' });
    } else if (!lead.zohoId) {
      plan.creates.push(row);
    } else {
      const fields = changedSinceBase(lead.values, lead.base);
      if (fields.length) plan.updates.push({ row, fields });
      else
        plan.noops.push({
          leadId: lead.id,
          kind: 'written',
          sent: {},
          complete: false,
          zohoId: lead.zohoId,
          modifiedAt: null,
        });
    }
  }
  return plan;
}
