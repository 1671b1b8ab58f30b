import { type LeadValues, toZohoFields, valuesFromZoho, ZOHO_LEAD_LIST_FIELDS } from '../../domain/lead-fields.js';
import type { RemoteLead } from '../../domain/lead-page-plan.js';
import { nextKeysetPosition, PagingError } from '../../domain/paging-rules.js';
import type { LeadPullPosition } from '../../domain/sync-positions.js';
import type { LeadStore } from '../capabilities.js';
import { UnavailableError } from '../errors.js';
import { ZOHO_BATCH_LIMIT, ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH, type ZohoCrmClient } from './zoho-crm.client.js';
import { recordWriteResult } from './zoho-crm.mapper.js';
import type { ZohoRecord } from './zoho-crm.schemas.js';

/** ⚠ Upsert matches existing Zoho leads on Email, so a retried create finds the lead it made (crm-apis.md 2.1). */
const DUPLICATE_CHECK = ['Email'];

/** Zoho's Leads module as the two-way lead sync sees it: values in our field names, times in milliseconds. */
export class ZohoLeads implements LeadStore {
  readonly batchSize = ZOHO_BATCH_LIMIT;

  constructor(private readonly client: ZohoCrmClient) {}

  async leadsPage(position: LeadPullPosition) {
    const res = await this.client.listRecords('Leads', {
      fields: ZOHO_LEAD_LIST_FIELDS,
      perPage: ZOHO_PAGE_LIMIT,
      sortBy: 'Modified_Time',
      sortOrder: 'asc',
      modifiedSince: position.since ?? undefined,
      page: position.pageToken ? undefined : position.page,
      pageToken: position.pageToken,
    });
    const leads = res.records.map(remoteLead);
    if (leads.some((r) => Number.isNaN(r.modifiedAt)))
      throw new UnavailableError('Zoho returned a lead without a readable Modified_Time', { code: 'INVALID_RESPONSE' });
    try {
      const info = { moreRecords: !!res.info?.more_records, nextPageToken: res.info?.next_page_token };
      // ⚠ `page` reaches only the first 2,000 records; beyond, page_token (crm-apis.md 2.1).
      return {
        leads,
        next: nextKeysetPosition(position, leads.at(-1)?.modifiedAt ?? null, info, {
          pageSize: ZOHO_PAGE_LIMIT,
          pageReach: ZOHO_PAGE_REACH,
        }),
      };
    } catch (err) {
      if (err instanceof PagingError)
        throw new UnavailableError(`Zoho leads listing: ${err.message}`, { code: 'INVALID_RESPONSE' });
      throw err;
    }
  }

  async deletedLeads(since: string | null, page: number) {
    const res = await this.client.listDeleted('Leads', {
      type: 'all',
      page,
      perPage: ZOHO_PAGE_LIMIT,
      modifiedSince: since ?? undefined,
    });
    return {
      deleted: res.records.map((d) => ({ remoteId: d.id, deletedAt: Date.parse(d.deleted_time) })),
      nextPage: res.info?.more_records ? page + 1 : null,
    };
  }

  async readLeads(ids: string[]): Promise<RemoteLead[]> {
    if (ids.length === 0) return [];
    return (
      await this.client.listRecords('Leads', { fields: ZOHO_LEAD_LIST_FIELDS, ids, perPage: ids.length })
    ).records.map(remoteLead);
  }

  /** Whether COQL compares text case-insensitively is not documented: each email is asked as given and lowercased. */
  async findLeadsByEmail(emails: string[]): Promise<RemoteLead[]> {
    if (emails.length === 0) return [];
    const spellings = emails.flatMap((e) => [e, e.toLowerCase()]);
    return (await this.client.findByValues('Leads', ZOHO_LEAD_LIST_FIELDS, 'Email', spellings)).map(remoteLead);
  }

  async createLeads(values: Array<Partial<LeadValues>>) {
    if (values.length === 0) return [];
    const results = await this.client.upsertRecords(
      'Leads',
      values.map((v) => toZohoFields(v, Object.keys(v) as Array<keyof LeadValues>)),
      DUPLICATE_CHECK,
    );
    return values.map((_, i) => recordWriteResult(results[i]));
  }

  async updateLeads(updates: Array<{ id: string; values: Partial<LeadValues>; fields: Array<keyof LeadValues> }>) {
    if (updates.length === 0) return [];
    const results = await this.client.updateRecords(
      'Leads',
      updates.map((u) => ({ id: u.id, ...toZohoFields(u.values, u.fields) })),
    );
    return updates.map((_, i) => recordWriteResult(results[i]));
  }

  async deleteLeads(ids: string[]) {
    if (ids.length === 0) return [];
    const results = await this.client.deleteRecords('Leads', ids);
    // A retried delete finds the record gone already: Zoho answers INVALID_DATA for an unknown id.
    return ids.map((id, i) =>
      results[i]?.ok === false && results[i]?.code === 'INVALID_DATA'
        ? { ok: true as const, id }
        : recordWriteResult(results[i]),
    );
  }
}

function remoteLead(r: ZohoRecord): RemoteLead {
  return { zohoId: r.id, values: valuesFromZoho(r), modifiedAt: Date.parse(String(r.Modified_Time)) };
}
