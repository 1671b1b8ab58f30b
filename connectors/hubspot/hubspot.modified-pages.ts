import { nextSearchWindow, nextTiesPosition } from '../../domain/paging-rules.js';
import type { FileSyncCursor } from '../../domain/sync-positions.js';
import type { HubSpotClient } from './hubspot.client.js';
import type { HubSpotObject } from './hubspot.schemas.js';

/** The listing positions of an object type read whole (`hs-list`) or by modification time (search windows). */
export type ModifiedPosition = Extract<FileSyncCursor, { kind: 'hs-list' | 'hs-search' | 'hs-ties' }>;

export interface ModifiedPagesOptions {
  type: string;
  /** ⚠ Contacts keep theirs in `lastmodifieddate`; companies and deals in `hs_lastmodifieddate`. */
  modifiedProperty: string;
  properties: string[];
  pageSize: number;
  /** Where search stops paging (10,000). */
  searchCap: number;
}

/**
 * Pages of one HubSpot object type: the whole list by `after` cursor, or the objects modified since an instant
 * through search windows (domain/paging-rules.ts restarts a window before the search cap, and walks by id the
 * objects that share one instant).
 */
export async function modifiedPage(
  client: HubSpotClient,
  opts: ModifiedPagesOptions,
  cursor: ModifiedPosition,
): Promise<{ objects: HubSpotObject[]; next: ModifiedPosition | null }> {
  switch (cursor.kind) {
    case 'hs-list': {
      const page = await client.listObjects(opts.type, {
        after: cursor.after,
        limit: opts.pageSize,
        properties: opts.properties,
      });
      return { objects: page.results, next: page.nextAfter ? { kind: 'hs-list', after: page.nextAfter } : null };
    }
    case 'hs-search': {
      const page = await client.searchObjects(opts.type, {
        filterGroups: [
          { filters: [{ propertyName: opts.modifiedProperty, operator: 'GTE', value: String(cursor.since) }] },
        ],
        sorts: [{ propertyName: opts.modifiedProperty, direction: 'ASCENDING' }],
        properties: opts.properties,
        limit: opts.pageSize,
        after: cursor.offset ? String(cursor.offset) : undefined,
      });
      const last = page.results.at(-1);
      const lastModifiedAt = last ? Date.parse(last.properties[opts.modifiedProperty] ?? last.updatedAt) : null;
      const next = nextSearchWindow(
        cursor,
        { length: page.results.length, lastModifiedAt, hasNext: !!page.nextAfter },
        { pageSize: opts.pageSize, cap: opts.searchCap },
      );
      return { objects: page.results, next: next as ModifiedPosition | null };
    }
    case 'hs-ties': {
      const page = await client.searchObjects(opts.type, {
        filterGroups: [
          {
            filters: [
              { propertyName: opts.modifiedProperty, operator: 'EQ', value: String(cursor.at) },
              { propertyName: 'hs_object_id', operator: 'GT', value: cursor.afterId },
            ],
          },
        ],
        sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }],
        properties: opts.properties,
        limit: opts.pageSize,
      });
      const next = nextTiesPosition(
        cursor.at,
        { length: page.results.length, lastId: page.results.at(-1)?.id ?? null },
        opts.pageSize,
      );
      return { objects: page.results, next: next as ModifiedPosition };
    }
  }
}
