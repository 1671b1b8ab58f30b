import { ValidationError } from '../errors.js';
import { RateGovernor } from '../rate-governor.js';
import type { AuthProvider, HttpClient } from '../http.js';
import {
  HubSpotAssociationsBatch,
  HubSpotAssociationsList,
  HubSpotBatchResponse,
  HubSpotFilesPage,
  HubSpotFile,
  HubSpotListPage,
  HubSpotObject,
  HubSpotSearchPage,
  HubSpotSignedUrl,
} from './hubspot.schemas.js';

export const HUBSPOT_LIST_LIMIT = 100;
export const HUBSPOT_SEARCH_LIMIT = 200;
export const HUBSPOT_BATCH_LIMIT = 100;
/** ⚠ Search never pages past 10,000 results (crm-apis.md 6.7): callers window by hs_lastmodifieddate. */
export const HUBSPOT_SEARCH_CAP = 10_000;

/** Private-app auth: a static bearer token. A 401 is final; there is nothing to refresh. */
export function hubspotBearer(token: string): AuthProvider {
  return { headers: async () => ({ authorization: `Bearer ${token}` }) };
}

export interface Page<T> {
  results: T[];
  nextAfter?: string;
}

export interface SearchRequest {
  filterGroups?: Array<{
    filters: Array<{ propertyName: string; operator: string; value?: string; values?: string[]; highValue?: string }>;
  }>;
  sorts?: Array<{ propertyName: string; direction: 'ASCENDING' | 'DESCENDING' }>;
  properties?: string[];
  limit?: number;
  after?: string;
  query?: string;
}

/** ⚠ CRM search has its own limit: 5 requests per second per account (crm-apis.md 4.2). */
export const HUBSPOT_SEARCH_PER_SECOND = 5;

export class HubSpotClient {
  private readonly searchGovernor: RateGovernor;

  constructor(
    private readonly http: HttpClient,
    opts: { searchGovernor?: RateGovernor } = {},
  ) {
    this.searchGovernor =
      opts.searchGovernor ??
      new RateGovernor({
        maxRequests: HUBSPOT_SEARCH_PER_SECOND,
        perMs: 1000,
        maxConcurrent: HUBSPOT_SEARCH_PER_SECOND,
      });
  }

  async listObjects(
    type: string,
    opts: { limit?: number; after?: string; properties?: string[]; archived?: boolean } = {},
  ): Promise<Page<HubSpotObject>> {
    const { data } = await this.http.json(
      {
        path: `/crm/v3/objects/${type}`,
        query: {
          limit: opts.limit ?? HUBSPOT_LIST_LIMIT,
          after: opts.after,
          properties: opts.properties,
          archived: opts.archived ? 'true' : undefined,
        },
      },
      HubSpotListPage,
    );
    return { results: data?.results ?? [], nextAfter: data?.paging?.next?.after };
  }

  async getObject(type: string, id: string, properties?: string[]): Promise<HubSpotObject> {
    const { data } = await this.http.json(
      { path: `/crm/v3/objects/${type}/${id}`, query: { properties } },
      HubSpotObject,
    );
    return data as HubSpotObject;
  }

  async searchObjects(type: string, req: SearchRequest): Promise<Page<HubSpotObject> & { total: number }> {
    const { data } = await this.http.json(
      {
        method: 'POST',
        path: `/crm/v3/objects/${type}/search`,
        json: { ...req, limit: req.limit ?? HUBSPOT_SEARCH_LIMIT },
        alsoWithin: this.searchGovernor,
      },
      HubSpotSearchPage,
    );
    return { total: data?.total ?? 0, results: data?.results ?? [], nextAfter: data?.paging?.next?.after };
  }

  async batchRead(type: string, ids: string[], properties: string[]): Promise<HubSpotObject[]> {
    if (ids.length === 0) return [];
    assertBatch(ids.length, HUBSPOT_BATCH_LIMIT);
    const { data } = await this.http.json(
      {
        method: 'POST',
        path: `/crm/v3/objects/${type}/batch/read`,
        json: { inputs: ids.map((id) => ({ id })), properties },
      },
      HubSpotBatchResponse,
    );
    return data?.results ?? [];
  }

  /**
   * Updates some properties of up to 100 objects. HubSpot answers 200, or 207 with `errors[]` naming the inputs it
   * refused (crm-apis.md 4.1, 4.6); the refused ones are matched back to their ids through each error's `context`.
   */
  async batchUpdate(
    type: string,
    inputs: Array<{ id: string; properties: Record<string, string | null> }>,
  ): Promise<{ updated: HubSpotObject[]; errors: Array<{ ids: string[]; category: string; message: string }> }> {
    if (inputs.length === 0) return { updated: [], errors: [] };
    assertBatch(inputs.length, HUBSPOT_BATCH_LIMIT);
    const { data } = await this.http.json(
      { method: 'POST', path: `/crm/v3/objects/${type}/batch/update`, json: { inputs } },
      HubSpotBatchResponse,
    );
    const errors = (data?.errors ?? []).map((e) => {
      const context = (e as { context?: Record<string, unknown> }).context ?? {};
      const ids = Object.values(context)
        .flatMap((v) => (Array.isArray(v) ? v : [v]))
        .map(String);
      return { ids, category: e.category ?? 'ERROR', message: e.message };
    });
    return { updated: data?.results ?? [], errors };
  }

  /** One call for many objects' associations (v4 batch read); returns from-id → to-ids. */
  async batchReadAssociations(fromType: string, toType: string, ids: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (ids.length === 0) return out;
    assertBatch(ids.length, 1_000);
    const { data } = await this.http.json(
      {
        method: 'POST',
        path: `/crm/v4/associations/${fromType}/${toType}/batch/read`,
        json: { inputs: ids.map((id) => ({ id })) },
      },
      HubSpotAssociationsBatch,
    );
    for (const r of data?.results ?? [])
      out.set(
        r.from.id,
        r.to.map((t) => t.toObjectId),
      );
    return out;
  }

  /** One object's associations (v4). The batch call above is what syncs use; this serves lookups and comparisons. */
  async associationsOf(fromType: string, id: string, toType: string): Promise<string[]> {
    const { data } = await this.http.json(
      { path: `/crm/v4/objects/${fromType}/${id}/associations/${toType}`, query: { limit: 500 } },
      HubSpotAssociationsList,
    );
    return (data?.results ?? []).map((r) => r.toObjectId);
  }

  async getFile(id: string): Promise<HubSpotFile> {
    const { data } = await this.http.json({ path: `/files/v3/files/${id}` }, HubSpotFile);
    return data as HubSpotFile;
  }

  /** One search with `ids` replaces one GET per file. */
  async searchFilesByIds(ids: string[]): Promise<HubSpotFile[]> {
    if (ids.length === 0) return [];
    assertBatch(ids.length, 100);
    const { data } = await this.http.json(
      { path: '/files/v3/files/search', query: { ids, limit: ids.length } },
      HubSpotFilesPage,
    );
    return data?.results ?? [];
  }

  /** ⚠ PRIVATE files are not downloadable from `url`; they need a signed URL (crm-apis.md 6.8). */
  async getSignedUrl(id: string, expirationSeconds = 300): Promise<{ url: string; expiresAt: string }> {
    const { data } = await this.http.json(
      { path: `/files/v3/files/${id}/signed-url`, query: { expirationSeconds } },
      HubSpotSignedUrl,
    );
    if (!data) throw new ValidationError(`no signed URL for file ${id}`);
    return { url: data.url, expiresAt: data.expiresAt };
  }

  /**
   * Downloads from a (signed) file URL. Such URLs carry their own authorisation and are served by HubSpot's file
   * hosting, not the API, so they do not count against the API budget.
   */
  download(url: string): Promise<Response> {
    return this.http.stream({ path: url, anonymous: true, unmetered: true, headers: { accept: '*/*' } });
  }

  /** Cheapest authenticated read. */
  async probe(): Promise<void> {
    await this.listObjects('deals', { limit: 1, properties: ['hs_object_id'] });
  }
}

function assertBatch(n: number, max: number): void {
  if (n > max)
    throw new ValidationError(`batch of ${n} exceeds HubSpot's limit of ${max}`, { code: 'BATCH_TOO_LARGE' });
}
