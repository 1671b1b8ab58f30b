import { LEAD_FIELDS, type LeadField, type LeadValues, sameValue } from './lead-fields.js';
import { type ConflictPolicy, type LeadSyncOptions, policyOf } from './lead-policy.js';

export interface MergeInput {
  local: LeadValues;
  /** The values both sides last agreed on; null when the two records were never linked. */
  base: Partial<LeadValues> | null;
  remote: LeadValues;
  /** Zoho's Modified_Time of `remote`, epoch ms. */
  remoteModifiedAt: number;
  /** When the lead was last edited here, epoch ms. */
  localChangedAt: number;
  options: LeadSyncOptions;
}

export type FieldOutcome = 'same' | 'local' | 'remote' | 'conflict';
export interface FieldDecision {
  field: LeadField;
  outcome: FieldOutcome;
  bothChanged: boolean;
  policy?: ConflictPolicy;
}
export interface LeadConflictFound {
  field: LeadField;
  local: string | null;
  remote: string | null;
  base: string | null;
}

export interface MergeResult {
  values: LeadValues;
  base: LeadValues;
  /** Fields whose local value changes (the remote value was taken). */
  localUpdates: LeadField[];
  /** Fields where both sides changed differently and the policy is `manual`. */
  conflicts: LeadConflictFound[];
  decisions: FieldDecision[];
  /** Whether, after the merge, local values differ from the base and must be pushed. */
  needsPush: boolean;
}

/**
 * Three-way merge of one lead, field by field, against the base: one side changed → take it; both changed to
 * the same value → agreed; both changed differently → the field's policy decides. The new base is the remote value
 * for every field except open manual conflicts, so a field we keep locally is pushed and the echo of our own write
 * compares equal to the base.
 */
export function mergeLead(input: MergeInput): MergeResult {
  const values = { ...input.local };
  const base = {} as LeadValues;
  const localUpdates: LeadField[] = [];
  const conflicts: LeadConflictFound[] = [];
  const decisions: FieldDecision[] = [];
  for (const field of LEAD_FIELDS) {
    const l = input.local[field];
    const r = input.remote[field];
    const b = input.base ? (input.base[field] ?? null) : undefined;
    const localChanged = b === undefined || !sameValue(l, b);
    const remoteChanged = b === undefined || !sameValue(r, b);
    let outcome: FieldOutcome;
    let policy: ConflictPolicy | undefined;
    if (sameValue(l, r)) outcome = 'same';
    else if (!remoteChanged) outcome = 'local';
    else if (!localChanged) outcome = 'remote';
    else {
      policy = policyOf(input.options, field);
      outcome = decide(policy, input.remoteModifiedAt, input.localChangedAt);
    }
    decisions.push({
      field,
      outcome,
      bothChanged: localChanged && remoteChanged && !sameValue(l, r),
      ...(policy ? { policy } : {}),
    });
    if (outcome === 'conflict') {
      conflicts.push({ field, local: l, remote: r, base: b ?? null });
      base[field] = b ?? null;
      continue;
    }
    base[field] = r;
    if (outcome === 'remote') {
      values[field] = r;
      localUpdates.push(field);
    }
  }
  const needsPush = LEAD_FIELDS.some((f) => !conflicts.some((c) => c.field === f) && !sameValue(values[f], base[f]));
  return { values, base, localUpdates, conflicts, decisions, needsPush };
}

function decide(policy: ConflictPolicy, remoteAt: number, localAt: number): FieldOutcome {
  switch (policy) {
    case 'crm-wins':
      return 'remote';
    case 'local-wins':
      return 'local';
    // Zoho times have whole seconds: a tie goes to Zoho, the default source of truth.
    case 'newest-wins':
      return localAt > remoteAt + 999 ? 'local' : 'remote';
    case 'manual':
      return 'conflict';
  }
}
