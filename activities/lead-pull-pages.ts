import type { LeadStore } from '../connectors/capabilities.js';
import type { RemoteLead } from '../domain/lead-page-plan.js';
import type { LeadPullPosition } from '../domain/sync-positions.js';

interface Fetched {
  page: RemoteLead[];
  next: LeadPullPosition | null;
}

/** Pages committed together: halves the per-transaction cost (lookups, cursor, commit) of a pull. */
export const PAGES_PER_COMMIT = 2;

/** Up to `count` consecutive pages from `position` as one batch; stops early at the end of the listing. */
async function fetchPages(
  leads: Pick<LeadStore, 'leadsPage'>,
  position: LeadPullPosition,
  count: number,
): Promise<Fetched & { pages: number }> {
  const page: RemoteLead[] = [];
  let next: LeadPullPosition | null = position;
  let pages = 0;
  while (next && pages < count) {
    const got = await leads.leadsPage(next);
    page.push(...got.leads);
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
export async function pullPages(
  leads: Pick<LeadStore, 'leadsPage'>,
  start: LeadPullPosition,
  maxPages: number,
  commit: (page: RemoteLead[]) => Promise<void>,
  committed: (next: LeadPullPosition | null, pages: number) => void = () => {},
): Promise<{ next: LeadPullPosition | null; pages: number }> {
  let current = await fetchPages(leads, start, Math.min(PAGES_PER_COMMIT, maxPages));
  for (let pages = current.pages; ; pages += current.pages) {
    const more = current.next !== null && pages < maxPages;
    const prefetch = more ? fetchPages(leads, current.next!, Math.min(PAGES_PER_COMMIT, maxPages - pages)) : undefined;
    // A failed commit must not leave the prefetch's rejection unhandled.
    prefetch?.catch(() => undefined);
    await commit(current.page);
    committed(current.next, current.pages);
    if (!prefetch) return { next: current.next, pages };
    current = await prefetch;
  }
}
