import { z } from 'zod';

/**
 * The CRM extract's data: accounts, contacts and deals in the analysts' toolkit's schema, with our field names. A
 * connector reads each record into these names with the provider's raw values (enum fields carry the CRM's own
 * spelling, `region` the account's country); domain/extract-rules.ts cleans them.
 */
export const EXTRACT_DOMAINS = ['accounts', 'contacts', 'deals'] as const;
export type ExtractDomain = (typeof EXTRACT_DOMAINS)[number];

export const REGIONS = ['North America', 'Europe', 'Asia'] as const;
export const CONTACT_SOURCES = ['Website', 'Referral', 'Email Campaign'] as const;
export const DEAL_STAGES = ['Prospecting', 'Negotiation', 'Closed-Won', 'Closed-Lost'] as const;

/** How a field's raw value becomes a column value. */
export type FieldKind = 'text' | 'email' | 'number' | 'percent' | 'date' | 'datetime' | 'id' | 'enum';

export interface FieldDef {
  kind: FieldKind;
  /** The values an `enum` field may take after mapping. */
  values?: readonly string[];
  /** Whether `records update` may write it (a derived value such as `region` cannot be written back). */
  writable: boolean;
  /** The toolkit's name for it, accepted by `records update` (`deal_size`, `deal_id`…). */
  alias?: string;
}

export const EXTRACT_FIELDS = {
  accounts: {
    name: { kind: 'text', writable: true, alias: 'account_name' },
    industry: { kind: 'text', writable: true },
    value: { kind: 'number', writable: true, alias: 'account_value' },
    region: { kind: 'enum', values: REGIONS, writable: false },
  },
  contacts: {
    firstName: { kind: 'text', writable: true, alias: 'first_name' },
    lastName: { kind: 'text', writable: true, alias: 'last_name' },
    email: { kind: 'email', writable: true },
    jobTitle: { kind: 'text', writable: true, alias: 'job_title' },
    leadSource: { kind: 'enum', values: CONTACT_SOURCES, writable: false, alias: 'lead_source' },
    lastContactAt: { kind: 'datetime', writable: false, alias: 'last_contact_date' },
  },
  deals: {
    name: { kind: 'text', writable: true, alias: 'deal_name' },
    size: { kind: 'number', writable: true, alias: 'deal_size' },
    probability: { kind: 'percent', writable: true },
    stage: { kind: 'enum', values: DEAL_STAGES, writable: true },
    accountId: { kind: 'id', writable: true, alias: 'account_id' },
    createdAt: { kind: 'datetime', writable: false, alias: 'created_at' },
  },
} as const satisfies Record<ExtractDomain, Record<string, FieldDef>>;

export type ExtractField<D extends ExtractDomain> = keyof (typeof EXTRACT_FIELDS)[D] & string;
export type AnyExtractField = ExtractField<'accounts'> | ExtractField<'contacts'> | ExtractField<'deals'>;

export function fieldsOf(domain: ExtractDomain): Record<string, FieldDef> {
  return EXTRACT_FIELDS[domain];
}

/** A raw value as a connector hands it over: providers send strings (HubSpot), numbers and ISO times (Zoho). */
export type RawValue = string | number | boolean | null;

/** One CRM record of a domain before cleaning: the CRM's id and modification time, values in our field names. */
export interface RawRecord {
  id: string;
  modifiedAt: number;
  values: Record<string, RawValue>;
}

/** A cleaned value: text, a number, or an ISO time/date string; null when absent. */
export type CleanValue = string | number | null;

/** A record that passed cleaning, ready to be upserted. */
export interface CleanRecord {
  id: string;
  modifiedAt: number;
  values: Record<string, CleanValue>;
}

/** Why a record was not kept: the first field that failed and how. */
export interface RejectReason {
  code: 'MISSING_REQUIRED' | 'INVALID_VALUE' | 'UNKNOWN_ENUM';
  field: string;
  message: string;
  value?: RawValue;
}
export interface RejectedRecord {
  id: string;
  modifiedAt: number;
  reason: RejectReason;
}

export const ExtractDomainSchema = z.enum(EXTRACT_DOMAINS);
