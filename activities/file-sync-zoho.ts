import type { CrmFile } from '../connectors/crm-file.js';
import { isConnectorError } from '../connectors/errors.js';
import { toCrmFile } from '../connectors/zoho-crm/zoho-crm.mapper.js';
import { ZOHO_DEAL_FIELDS } from '../connectors/zoho-crm/zoho-crm.mapper.js';
import { ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH, type ZohoCrmClient } from '../connectors/zoho-crm/zoho-crm.client.js';
import type { ZohoRecord } from '../connectors/zoho-crm/zoho-crm.schemas.js';
import type { FileSyncCursor } from '../workflows/definitions.js';

/** Next page of deals: `page` up to 2,000 records, then `page_token` (crm-apis.md 6.4); 304 ends an incremental run. */
export async function zohoDealsPage(client: ZohoCrmClient, cursor: FileSyncCursor, opts: { since: string | null; dealIds?: string[] }): Promise<{ deals: ZohoRecord[]; next: FileSyncCursor | null }> {
  if (cursor.kind === 'ids') {
    const ids = (opts.dealIds ?? []).slice(cursor.offset, cursor.offset + 100);
    const page = await client.listRecords('Deals', { fields: ZOHO_DEAL_FIELDS, ids, perPage: 100 });
    const end = cursor.offset + 100;
    return { deals: page.records, next: end < (opts.dealIds ?? []).length ? { kind: 'ids', offset: end } : null };
  }
  if (cursor.kind !== 'zoho-page' && cursor.kind !== 'zoho-token') throw new Error(`cursor ${cursor.kind} is not a Zoho cursor`);
  const page = await client.listRecords('Deals', {
    fields: ZOHO_DEAL_FIELDS, perPage: ZOHO_PAGE_LIMIT, modifiedSince: opts.since ?? undefined,
    sortBy: opts.since ? 'Modified_Time' : 'id', sortOrder: 'asc',
    ...(cursor.kind === 'zoho-page' ? { page: cursor.page } : { pageToken: cursor.token }),
  });
  if (page.notModified || !page.info?.more_records) return { deals: page.records, next: null };
  const nextPage = cursor.kind === 'zoho-page' ? cursor.page + 1 : undefined;
  const token = page.info.next_page_token ?? undefined;
  if (nextPage !== undefined && nextPage * ZOHO_PAGE_LIMIT <= ZOHO_PAGE_REACH) return { deals: page.records, next: { kind: 'zoho-page', page: nextPage } };
  if (!token) throw new Error('Zoho reported more records but no next_page_token');
  return { deals: page.records, next: { kind: 'zoho-token', token } };
}

/**
 * One attachments listing per deal is all Zoho offers; deals are listed a few at a time (the rate governor caps
 * concurrency anyway). A deal whose listing fails for good is reported, not fatal; retryable errors propagate so
 * Temporal retries the page.
 */
export async function zohoFilesOfDeals(client: ZohoCrmClient, deals: Array<Pick<ZohoRecord, 'id'>>, onlyFileIds?: Set<string>) {
  const apiBase = await client.apiBase();
  const files: CrmFile[] = [];
  const failures: Array<{ dealId: string; message: string; code: string }> = [];
  const queue = [...deals];
  const worker = async () => {
    for (let deal = queue.shift(); deal; deal = queue.shift()) {
      try {
        for (let page = 1; ; page += 1) {
          const res = await client.listAttachments('Deals', deal.id, { page, perPage: ZOHO_PAGE_LIMIT });
          for (const a of res.records) {
            if (a.$link_url) continue;
            if (!onlyFileIds || onlyFileIds.has(a.id)) files.push(toCrmFile(a, deal.id, apiBase));
          }
          if (!res.info?.more_records) break;
        }
      } catch (err) {
        if (!isConnectorError(err) || err.kind === 'rate-limited' || err.kind === 'unavailable' || err.kind === 'auth') throw err;
        failures.push({ dealId: deal.id, message: err.message, code: err.name });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(5, deals.length) }, worker));
  return { files, failures };
}

export function zohoStart(selective: boolean): FileSyncCursor {
  return selective ? { kind: 'ids', offset: 0 } : { kind: 'zoho-page', page: 1 };
}
