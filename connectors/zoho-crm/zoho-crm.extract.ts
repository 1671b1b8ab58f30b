import type { CleanValue, ExtractDomain, RawRecord, RawValue } from '../../domain/extract-fields.js';
import { nextKeysetPosition, PagingError } from '../../domain/paging-rules.js';
import type { ExtractPosition } from '../../domain/sync-positions.js';
import type { ExtractSource } from '../capabilities.js';
import { UnavailableError, ValidationError } from '../errors.js';
import { ZOHO_BATCH_LIMIT, ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH, type ZohoCrmClient } from './zoho-crm.client.js';
import { recordWriteResult } from './zoho-crm.mapper.js';
import type { ZohoRecord } from './zoho-crm.schemas.js';

const MODULES: Record<ExtractDomain, string> = { accounts: 'Accounts', contacts: 'Contacts', deals: 'Deals' };

/**
 * The extract's fields by Zoho API name (crm-apis.md 2.3). An account's region is read from its billing country
 * (mapped by the extract's rules); a deal's account is the id of its `Account_Name` lookup.
 */
const FIELDS: Record<ExtractDomain, Record<string, string>> = {
  accounts: { name: 'Account_Name', industry: 'Industry', value: 'Annual_Revenue', region: 'Billing_Country' },
  contacts: {
    firstName: 'First_Name',
    lastName: 'Last_Name',
    email: 'Email',
    jobTitle: 'Title',
    leadSource: 'Lead_Source',
    lastContactAt: 'Last_Activity_Time',
  },
  deals: {
    name: 'Deal_Name',
    size: 'Amount',
    probability: 'Probability',
    stage: 'Stage',
    accountId: 'Account_Name',
    createdAt: 'Created_Time',
  },
};

/** The standard picklist value written for each extract stage (Zoho's default Deals layout). */
const STAGE_SPELLING: Record<string, string> = {
  Prospecting: 'Qualification',
  Negotiation: 'Negotiation/Review',
  'Closed-Won': 'Closed Won',
  'Closed-Lost': 'Closed Lost',
};

function raw(value: unknown): RawValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object')
    return typeof (value as { id?: unknown }).id === 'string' ? (value as { id: string }).id : null;
  return value as RawValue;
}

function rawRecord(domain: ExtractDomain, r: ZohoRecord): RawRecord {
  const values: Record<string, RawValue> = {};
  for (const [field, api] of Object.entries(FIELDS[domain])) values[field] = raw(r[api]);
  return { id: r.id, modifiedAt: Date.parse(String(r.Modified_Time)), values };
}

/** Zoho's Accounts, Contacts and Deals for the extract: `Modified_Time` keyset pages, 200 a call. */
export class ZohoExtract implements ExtractSource {
  readonly batchSize = ZOHO_BATCH_LIMIT;

  constructor(private readonly client: ZohoCrmClient) {}

  start(_domain: ExtractDomain, since: string | null): ExtractPosition {
    return { kind: 'zoho-keyset', since, page: 1 };
  }

  async page(domain: ExtractDomain, position: ExtractPosition) {
    if (position.kind !== 'zoho-keyset') throw new Error(`position ${position.kind} is not a Zoho position`);
    const res = await this.client.listRecords(MODULES[domain], {
      fields: [...Object.values(FIELDS[domain]), 'Modified_Time'],
      perPage: ZOHO_PAGE_LIMIT,
      sortBy: 'Modified_Time',
      sortOrder: 'asc',
      modifiedSince: position.since ?? undefined,
      page: position.pageToken ? undefined : position.page,
      pageToken: position.pageToken,
    });
    const records = res.records.map((r) => rawRecord(domain, r));
    if (records.some((r) => Number.isNaN(r.modifiedAt)))
      throw new UnavailableError(`Zoho returned ${domain} without a readable Modified_Time`, {
        code: 'INVALID_RESPONSE',
      });
    try {
      const info = { moreRecords: !!res.info?.more_records, nextPageToken: res.info?.next_page_token };
      const next = nextKeysetPosition(position, records.at(-1)?.modifiedAt ?? null, info, {
        pageSize: ZOHO_PAGE_LIMIT,
        pageReach: ZOHO_PAGE_REACH,
      });
      return { records, next: next && { kind: 'zoho-keyset' as const, ...next } };
    } catch (err) {
      if (err instanceof PagingError)
        throw new UnavailableError(`Zoho ${domain} listing: ${err.message}`, { code: 'INVALID_RESPONSE' });
      throw err;
    }
  }

  async deletedPage(domain: ExtractDomain, since: string, token: string | null) {
    const page = token === null ? 1 : Number(token);
    const res = await this.client.listDeleted(MODULES[domain], {
      type: 'all',
      page,
      perPage: ZOHO_PAGE_LIMIT,
      modifiedSince: since,
    });
    return {
      deleted: res.records.map((d) => ({ id: d.id, deletedAt: Date.parse(d.deleted_time) })),
      next: res.info?.more_records ? String(page + 1) : null,
    };
  }

  async updateRecords(domain: ExtractDomain, updates: Array<{ id: string; values: Record<string, CleanValue> }>) {
    if (updates.length === 0) return [];
    const results = await this.client.updateRecords(
      MODULES[domain],
      updates.map((u) => ({ id: u.id, ...toZoho(domain, u.values) })),
    );
    return updates.map((_, i) => recordWriteResult(results[i]));
  }
}

function toZoho(domain: ExtractDomain, values: Record<string, CleanValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(values)) {
    const api = FIELDS[domain][field];
    if (!api) throw new ValidationError(`Zoho ${domain} have no field for "${field}"`, { code: 'INVALID_DATA' });
    if (field === 'accountId') out[api] = value === null ? null : { id: String(value) };
    else if (field === 'stage' && typeof value === 'string') out[api] = STAGE_SPELLING[value] ?? value;
    else out[api] = value;
  }
  return out;
}
