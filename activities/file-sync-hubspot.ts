import type { CrmDeal, CrmFile } from '../connectors/crm-file.js';
import type { HubSpotClient } from '../connectors/hubspot/hubspot.client.js';
import { attachmentIds, HUBSPOT_DEAL_PROPERTIES, toCrmDeal, toCrmFile } from '../connectors/hubspot/hubspot.mapper.js';
import type { HubSpotObject } from '../connectors/hubspot/hubspot.schemas.js';
import type { FileSyncCursor } from '../workflows/definitions.js';

export const HUBSPOT_PAGE = 100;
/** Deals gathered per activity: fuller note and file batches mean fewer calls; 500 keeps an activity's memory small. */
export const HUBSPOT_GROUP = 500;
export const DEFAULT_SEARCH_CAP = 10_000;

export interface CrmPage { deals: CrmDeal[]; files: CrmFile[]; next: FileSyncCursor | null; failures: Array<{ dealId: string; message: string; code: string }> }

const chunks = <T>(items: T[], size: number): T[][] => Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

/**
 * A group of deals and their files in a fixed number of calls, whatever the number of files: one associations
 * batch per 1,000 deals, one notes batch per 100 notes, one files search per 100 files.
 */
export async function hubspotFilesOfDeals(client: HubSpotClient, deals: HubSpotObject[], onlyFileIds?: Set<string>): Promise<CrmFile[]> {
  const notesByDeal = new Map<string, string[]>();
  for (const ids of chunks(deals.map((d) => d.id), HUBSPOT_GROUP)) {
    for (const [k, v] of await client.batchReadAssociations('deals', 'notes', ids)) notesByDeal.set(k, v);
  }
  const noteIds = [...new Set([...notesByDeal.values()].flat())];
  const notes = (await Promise.all(chunks(noteIds, 100).map((ids) => client.batchRead('notes', ids, ['hs_attachment_ids'])))).flat();
  const noteById = new Map(notes.map((n) => [n.id, n]));
  const dealOfFile = new Map<string, string>();
  for (const d of deals) {
    for (const noteId of notesByDeal.get(d.id) ?? []) {
      const note = noteById.get(noteId);
      for (const fileId of note ? attachmentIds(note) : []) if (!dealOfFile.has(fileId)) dealOfFile.set(fileId, d.id);
    }
  }
  const wanted = [...dealOfFile.keys()].filter((id) => !onlyFileIds || onlyFileIds.has(id));
  const files = (await Promise.all(chunks(wanted, 100).map((ids) => client.searchFilesByIds(ids)))).flat();
  return files.filter((f) => !f.archived).map((f) => toCrmFile(f, dealOfFile.get(f.id)!));
}

/** Up to HUBSPOT_GROUP deals from consecutive pages, and the cursor after them. */
export async function hubspotDealsGroup(client: HubSpotClient, cursor: FileSyncCursor, opts: { dealIds?: string[]; searchCap: number }): Promise<{ deals: HubSpotObject[]; next: FileSyncCursor | null }> {
  // Keyed by id: a restarted search window reads the deals at its boundary instant again.
  const deals = new Map<string, HubSpotObject>();
  let next: FileSyncCursor | null = cursor;
  while (next && deals.size + HUBSPOT_PAGE <= HUBSPOT_GROUP) {
    const page = await hubspotDealsPage(client, next, opts);
    for (const d of page.deals) deals.set(d.id, d);
    next = page.next;
  }
  return { deals: [...deals.values()], next };
}

/** Next page of deals for a full run (list), an incremental run (search windows) or a selective one (ids). */
export async function hubspotDealsPage(client: HubSpotClient, cursor: FileSyncCursor, opts: { dealIds?: string[]; searchCap: number }): Promise<{ deals: HubSpotObject[]; next: FileSyncCursor | null }> {
  switch (cursor.kind) {
    case 'hs-list': {
      const page = await client.listObjects('deals', { after: cursor.after, limit: HUBSPOT_PAGE, properties: HUBSPOT_DEAL_PROPERTIES });
      return { deals: page.results, next: page.nextAfter ? { kind: 'hs-list', after: page.nextAfter } : null };
    }
    case 'hs-search': return searchWindow(client, cursor, opts.searchCap);
    case 'hs-ties': return searchTies(client, cursor);
    case 'ids': {
      const ids = (opts.dealIds ?? []).slice(cursor.offset, cursor.offset + HUBSPOT_PAGE);
      const deals = await client.batchRead('deals', ids, HUBSPOT_DEAL_PROPERTIES);
      const end = cursor.offset + HUBSPOT_PAGE;
      return { deals, next: end < (opts.dealIds ?? []).length ? { kind: 'ids', offset: end } : null };
    }
    default: throw new Error(`cursor ${cursor.kind} is not a HubSpot cursor`);
  }
}

/**
 * ⚠ Search pages stop at 10,000 results (crm-apis.md 6.7). Deals come sorted by hs_lastmodifieddate; before the
 * cap, the window restarts at the last modification time seen (records at that instant are read again and found
 * unchanged). If a whole window shares one instant, its deals are walked by id instead.
 */
async function searchWindow(client: HubSpotClient, c: { since: number; offset: number }, cap: number) {
  const page = await client.searchObjects('deals', {
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(c.since) }] }],
    sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }], properties: HUBSPOT_DEAL_PROPERTIES,
    limit: HUBSPOT_PAGE, after: c.offset ? String(c.offset) : undefined,
  });
  if (page.results.length < HUBSPOT_PAGE) return { deals: page.results, next: null };
  const offset = c.offset + HUBSPOT_PAGE;
  // Below the cap, HubSpot's paging says whether there is more; at the cap it stops saying, so split instead.
  if (offset + HUBSPOT_PAGE <= cap) return { deals: page.results, next: page.nextAfter ? { kind: 'hs-search', since: c.since, offset } as const : null };
  const last = page.results[page.results.length - 1]!;
  const lastAt = Date.parse(last.properties.hs_lastmodifieddate ?? last.updatedAt);
  const next: FileSyncCursor = lastAt > c.since ? { kind: 'hs-search', since: lastAt, offset: 0 } : { kind: 'hs-ties', at: c.since, afterId: '0' };
  return { deals: page.results, next };
}

async function searchTies(client: HubSpotClient, c: { at: number; afterId: string }) {
  const page = await client.searchObjects('deals', {
    filterGroups: [{ filters: [
      { propertyName: 'hs_lastmodifieddate', operator: 'EQ', value: String(c.at) },
      { propertyName: 'hs_object_id', operator: 'GT', value: c.afterId },
    ] }],
    sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], properties: HUBSPOT_DEAL_PROPERTIES, limit: HUBSPOT_PAGE,
  });
  const last = page.results[page.results.length - 1];
  const next: FileSyncCursor = page.results.length === HUBSPOT_PAGE && last
    ? { kind: 'hs-ties', at: c.at, afterId: last.id }
    : { kind: 'hs-search', since: c.at + 1, offset: 0 };
  return { deals: page.results, next };
}

export function hubspotStart(mode: 'incremental' | 'full', since: string | null, selective: boolean): FileSyncCursor {
  if (selective) return { kind: 'ids', offset: 0 };
  if (mode === 'incremental' && since) return { kind: 'hs-search', since: Date.parse(since), offset: 0 };
  return { kind: 'hs-list' };
}

export { toCrmDeal as hubspotDeal };
