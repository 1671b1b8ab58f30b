import type { FileSyncCursor, LeadPullPosition } from './sync-positions.js';

/** What a listing said about the rest: more records, and the token Zoho hands out for pages past its reach. */
export interface ListingInfo {
  moreRecords: boolean;
  nextPageToken?: string | null;
}
export interface PageLimits {
  pageSize: number;
  pageReach: number;
}

export class PagingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PagingError';
  }
}

/**
 * Keyset paging on a modified time with whole seconds (Zoho): the next query starts one second before the last
 * record seen (If-Modified-Since is exclusive), so records modified while we page cannot slip between pages. Only
 * when a whole page shares one second does the same query go a page deeper, by page token past the page reach.
 * `lastModifiedAt` is the last record's time (ms) in a page sorted oldest first; null for an empty page.
 */
export function nextKeysetPosition(
  position: LeadPullPosition,
  lastModifiedAt: number | null,
  info: ListingInfo,
  limits: PageLimits,
): LeadPullPosition | null {
  if (lastModifiedAt === null || !info.moreRecords) return null;
  const keyset = lastModifiedAt - 1000;
  const since = position.since === null ? null : Date.parse(position.since);
  if (since === null || keyset > since) return { since: new Date(keyset).toISOString(), page: 1 };
  const next = position.page + 1;
  if (next * limits.pageSize <= limits.pageReach) return { since: position.since, page: next };
  if (!info.nextPageToken) throw new PagingError('the CRM reported more records but no next page token');
  return { since: position.since, page: next, pageToken: info.nextPageToken };
}

/**
 * HubSpot search pages stop at a result cap (10,000). Results come sorted by modification time; a full page below
 * the cap goes on by offset (as long as HubSpot offers a next page); a page that would reach the cap restarts the
 * window at the last time seen (records at that instant are read again and found unchanged), and when the whole
 * window shares one instant, its records are walked by id instead.
 */
export function nextSearchWindow(
  cursor: { since: number; offset: number },
  page: { length: number; lastModifiedAt: number | null; hasNext: boolean },
  limits: { pageSize: number; cap: number },
): FileSyncCursor | null {
  if (page.length < limits.pageSize) return null;
  const offset = cursor.offset + limits.pageSize;
  if (offset + limits.pageSize <= limits.cap)
    return page.hasNext ? { kind: 'hs-search', since: cursor.since, offset } : null;
  const lastAt = page.lastModifiedAt ?? cursor.since;
  return lastAt > cursor.since
    ? { kind: 'hs-search', since: lastAt, offset: 0 }
    : { kind: 'hs-ties', at: cursor.since, afterId: '0' };
}

/** After a page of records that all share the instant `at`, walked by id: more of them, or the window after it. */
export function nextTiesPosition(
  at: number,
  page: { length: number; lastId: string | null },
  pageSize: number,
): FileSyncCursor {
  return page.length === pageSize && page.lastId
    ? { kind: 'hs-ties', at, afterId: page.lastId }
    : { kind: 'hs-search', since: at + 1, offset: 0 };
}
