import type { ExtractDomain } from '../../domain/extract-fields.js';

/**
 * Where each extract domain lives. Accounts and contacts are the extract's own tables; deals share `deals` with the
 * file sync, so the extract keeps its own markers there: `extracted_at` (null: not kept by the extract),
 * `extract_run_id` (the run that last saw it) and `extract_modified_at` (the CRM time of the copy it applied).
 */
export interface ExtractTable {
  table: string;
  /** Extract field → column, with the column's SQL type (for `jsonb_to_recordset`). */
  columns: Record<string, { column: string; type: string }>;
  modified: string;
  seen: string;
  /** A row the extract keeps. */
  live: string;
  /** Sets a kept row back live (on insert and update). */
  revive: string;
  /** Takes a row out of the extract's view (rejected now, or gone from the CRM in a full run). */
  withdraw: string;
}

export const EXTRACT_TABLES: Record<ExtractDomain, ExtractTable> = {
  accounts: {
    table: 'accounts',
    columns: {
      name: { column: 'name', type: 'text' },
      industry: { column: 'industry', type: 'text' },
      value: { column: 'value', type: 'float8' },
      region: { column: 'region', type: 'text' },
    },
    modified: 'crm_modified_at',
    seen: 'last_seen_run_id',
    live: 'deleted_at is null',
    revive: 'deleted_at = null',
    withdraw: 'deleted_at = now()',
  },
  contacts: {
    table: 'contacts',
    columns: {
      firstName: { column: 'first_name', type: 'text' },
      lastName: { column: 'last_name', type: 'text' },
      email: { column: 'email', type: 'text' },
      jobTitle: { column: 'job_title', type: 'text' },
      leadSource: { column: 'lead_source', type: 'text' },
      lastContactAt: { column: 'last_contact_at', type: 'timestamptz' },
    },
    modified: 'crm_modified_at',
    seen: 'last_seen_run_id',
    live: 'deleted_at is null',
    revive: 'deleted_at = null',
    withdraw: 'deleted_at = now()',
  },
  deals: {
    table: 'deals',
    columns: {
      name: { column: 'name', type: 'text' },
      size: { column: 'amount', type: 'float8' },
      probability: { column: 'probability', type: 'float8' },
      stage: { column: 'normalized_stage', type: 'text' },
      accountId: { column: 'account_external_id', type: 'text' },
      createdAt: { column: 'crm_created_at', type: 'timestamptz' },
    },
    modified: 'extract_modified_at',
    seen: 'extract_run_id',
    live: 'extracted_at is not null',
    revive: 'extracted_at = now(), deleted_at = null',
    withdraw: 'extracted_at = null',
  },
};
