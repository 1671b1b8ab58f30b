import { z } from 'zod';
import { LEAD_FIELDS, type LeadField } from './lead-fields.js';

/**
 * How a lead sync resolves what both sides changed, per connection (`options.leadSync` of a zoho-crm
 * connection). `crm-wins` is the default: Zoho was the source of truth of the system this replaces.
 */
export const CONFLICT_POLICIES = ['crm-wins', 'local-wins', 'newest-wins', 'manual'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

export const LeadSyncOptionsSchema = z.strictObject({
  defaultPolicy: z.enum(CONFLICT_POLICIES).default('crm-wins'),
  fieldPolicies: z.partialRecord(z.enum(LEAD_FIELDS), z.enum(CONFLICT_POLICIES)).default({}),
  /** A lead deleted here: delete it in Zoho too, or leave Zoho alone. */
  localDeletes: z.enum(['delete', 'ignore']).default('delete'),
  /** A lead deleted in Zoho: delete ours too, or keep ours unlinked (a later local edit creates it again). */
  remoteDeletes: z.enum(['delete', 'keep']).default('delete'),
});
export type LeadSyncOptions = z.infer<typeof LeadSyncOptionsSchema>;

export function leadSyncOptions(connectionOptions: Record<string, unknown> | null | undefined): LeadSyncOptions {
  return LeadSyncOptionsSchema.parse(connectionOptions?.leadSync ?? {});
}

export function policyOf(options: LeadSyncOptions, field: LeadField): ConflictPolicy {
  return options.fieldPolicies[field] ?? options.defaultPolicy;
}
