import { UnavailableError } from '../connectors/errors.js';
import { type ZohoCrmClient, ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH } from '../connectors/zoho-crm/zoho-crm.client.js';
import type { ZohoInfo } from '../connectors/zoho-crm/zoho-crm.schemas.js';
import type { RemoteLead } from '../domain/lead-page-plan.js';
import { valuesFromZoho, ZOHO_LEAD_LIST_FIELDS } from '../domain/lead-fields.js';
import type { LeadPullPosition } from '../workflows/lead-definitions.js';

interface Fetched { page: RemoteLead[]; next: LeadPullPosition | null }

/** One listing call: the leads modified since the position, oldest first, and where the next call starts. */
export async function fetchLeadPage(client: ZohoCrmClient, position: LeadPullPosition): Promise<Fetched> {
  const res = await client.listRecords('Leads', {
    fields: ZOHO_LEAD_LIST_FIELDS, perPage: ZOHO_PAGE_LIMIT, sortBy: 'Modified_Time', sortOrder: 'asc',
    modifiedSince: position.since ?? undefined, page: position.pageToken ? undefined : position.page, pageToken: position.pageToken,
  });
  const page = res.records.map((r) => ({ zohoId: r.id, values: valuesFromZoho(r), modifiedAt: Date.parse(String(r.Modified_Time)) }));
  if (page.some((r) => Number.isNaN(r.modifiedAt))) throw new UnavailableError('Zoho returned a lead without a readable Modified_Time', { code: 'INVALID_RESPONSE' });
  return { page, next: nextPosition(position, page, res.info) };
}

/**
 * Keyset paging on Modified_Time: the next query starts one second before the last record seen (Zoho times have
 * whole seconds and If-Modified-Since is exclusive), so records modified while we page cannot slip between pages.
 * Only when a whole page shares one second does the same query go a page deeper, by `page_token` past 2,000.
 */
export function nextPosition(position: LeadPullPosition, page: RemoteLead[], info: ZohoInfo | undefined): LeadPullPosition | null {
  if (page.length === 0 || !info?.more_records) return null;
  const keyset = page[page.length - 1]!.modifiedAt - 1000;
  const since = position.since === null ? null : Date.parse(position.since);
  if (since === null || keyset > since) return { since: new Date(keyset).toISOString(), page: 1 };
  const next = position.page + 1;
  if (next * ZOHO_PAGE_LIMIT <= ZOHO_PAGE_REACH) return { since: position.since, page: next };
  // ⚠ `page` reaches only the first 2,000 records; beyond, page_token (crm-apis.md 2.1).
  if (!info.next_page_token) throw new UnavailableError('Zoho reported more leads but no next_page_token', { code: 'INVALID_RESPONSE' });
  return { since: position.since, page: next, pageToken: info.next_page_token };
}

/** Pages committed together: halves the per-transaction cost (lookups, cursor, commit) of a pull. */
export const PAGES_PER_COMMIT = 2;

/** Up to `count` consecutive pages from `position` as one batch; stops early at the end of the listing. */
async function fetchPages(client: ZohoCrmClient, position: LeadPullPosition, count: number): Promise<Fetched & { pages: number }> {
  const page: RemoteLead[] = [];
  let next: LeadPullPosition | null = position;
  let pages = 0;
  while (next && pages < count) {
    const got = await fetchLeadPage(client, next);
    page.push(...got.page);
    next = got.next;
    pages += 1;
  }
  return { page, next, pages };
}

/**
 * Up to `maxPages` pages from `start`, committed two at a time by `commit` before `committed` reports the position
 * after them; the next pages are fetched while the current ones commit. Used by the pull activity and, without
 * Temporal, by the benchmark's plain loop.
 */
export async function pullPages(client: ZohoCrmClient, start: LeadPullPosition, maxPages: number, commit: (page: RemoteLead[]) => Promise<void>, committed: (next: LeadPullPosition | null, pages: number) => void = () => {}): Promise<{ next: LeadPullPosition | null; pages: number }> {
  let current = await fetchPages(client, start, Math.min(PAGES_PER_COMMIT, maxPages));
  for (let pages = current.pages; ; pages += current.pages) {
    const more = current.next !== null && pages < maxPages;
    const prefetch = more ? fetchPages(client, current.next!, Math.min(PAGES_PER_COMMIT, maxPages - pages)) : undefined;
    // A failed commit must not leave the prefetch's rejection unhandled.
    prefetch?.catch(() => undefined);
    await commit(current.page);
    committed(current.next, current.pages);
    if (!prefetch) return { next: current.next, pages };
    current = await prefetch;
  }
}
