/**
 * Where a sync stands in a CRM's listing. Small and JSON: positions cross activity boundaries and continue-as-new,
 * and a workflow only hands them back to the connector that made them.
 */
export type FileSyncCursor =
  | { kind: 'hs-list'; after?: string }
  | { kind: 'hs-search'; since: number; offset: number }
  | { kind: 'hs-ties'; at: number; afterId: string }
  | { kind: 'zoho-page'; page: number }
  | { kind: 'zoho-token'; token: string }
  | { kind: 'ids'; offset: number };

/** A lead pull's position: leads modified since `since` (ISO), page `page` of that query, past 2,000 by token. */
export interface LeadPullPosition {
  since: string | null;
  page: number;
  pageToken?: string;
}

/** Where the CRM extract stands in one domain's listing: Zoho by Modified_Time keyset, HubSpot whole or by windows. */
export type ExtractPosition =
  Extract<FileSyncCursor, { kind: 'hs-list' | 'hs-search' | 'hs-ties' }> | ({ kind: 'zoho-keyset' } & LeadPullPosition);
