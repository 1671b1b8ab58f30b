import type { FileSyncCursor } from '../../domain/sync-positions.js';
import type {
  ConnectionCheck,
  DealFileSource,
  DealFilesStart,
  DealsPageOptions,
  DownloadableFile,
} from '../capabilities.js';
import type { CrmFile } from '../crm-file.js';
import { HUBSPOT_SEARCH_CAP, type HubSpotClient } from './hubspot.client.js';
import { modifiedPage, type ModifiedPagesOptions } from './hubspot.modified-pages.js';
import { attachmentIds, HUBSPOT_DEAL_PROPERTIES, toCrmDeal, toCrmFile } from './hubspot.mapper.js';
import type { HubSpotObject } from './hubspot.schemas.js';

export const HUBSPOT_PAGE = 100;
/** Deals gathered per page: fuller note and file batches mean fewer calls; 500 keeps an activity's memory small. */
export const HUBSPOT_GROUP = 500;

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, i * size + size));

export function hubspotCheck(client: HubSpotClient): ConnectionCheck {
  return {
    check: async () => {
      await client.probe();
      return { verified: 'bearer token: 1-record deals read' };
    },
  };
}

/** HubSpot deals with their files: files come in bulk with each page (associations, notes, files in batches). */
export class HubSpotDealFiles implements DealFileSource {
  /** `searchCap`: where HubSpot's search stops paging (the connection option `searchResultCap`; tests lower it). */
  constructor(
    private readonly client: HubSpotClient,
    private readonly searchCap = HUBSPOT_SEARCH_CAP,
  ) {}

  private get dealPages(): ModifiedPagesOptions {
    return {
      type: 'deals',
      modifiedProperty: 'hs_lastmodifieddate',
      properties: HUBSPOT_DEAL_PROPERTIES,
      pageSize: HUBSPOT_PAGE,
      searchCap: this.searchCap,
    };
  }

  start(opts: DealFilesStart): FileSyncCursor {
    if (opts.selective) return { kind: 'ids', offset: 0 };
    if (opts.mode === 'incremental' && opts.since)
      return { kind: 'hs-search', since: Date.parse(opts.since), offset: 0 };
    return { kind: 'hs-list' };
  }

  async dealsPage(cursor: FileSyncCursor, opts: DealsPageOptions) {
    const { deals, next } = await this.dealsGroup(cursor, opts.dealIds);
    return {
      deals: deals.map(toCrmDeal),
      files: await this.filesOf(
        deals.map((d) => d.id),
        opts.onlyFileIds,
      ),
      next,
    };
  }

  filesOfDeal(dealId: string, onlyFileIds?: Set<string>): Promise<CrmFile[]> {
    return this.filesOf([dealId], onlyFileIds);
  }

  async openContent(file: DownloadableFile): Promise<Response> {
    // ⚠ Private files are only downloadable through a signed URL (crm-apis.md 6.8).
    const url =
      file.access === 'private' || !file.sourceUrl
        ? (await this.client.getSignedUrl(file.externalFileId, 600)).url
        : file.sourceUrl;
    return this.client.download(url);
  }

  /**
   * The files of a group of deals in a fixed number of calls, whatever the number of files: one associations
   * batch per 500 deals, one notes batch per 100 notes, one files search per 100 files.
   */
  private async filesOf(dealIds: string[], onlyFileIds?: Set<string>): Promise<CrmFile[]> {
    const notesByDeal = new Map<string, string[]>();
    for (const ids of chunks(dealIds, HUBSPOT_GROUP)) {
      for (const [k, v] of await this.client.batchReadAssociations('deals', 'notes', ids)) notesByDeal.set(k, v);
    }
    const noteIds = [...new Set([...notesByDeal.values()].flat())];
    const notes = (
      await Promise.all(chunks(noteIds, 100).map((ids) => this.client.batchRead('notes', ids, ['hs_attachment_ids'])))
    ).flat();
    const noteById = new Map(notes.map((n) => [n.id, n]));
    const dealOfFile = new Map<string, string>();
    for (const dealId of dealIds) {
      for (const noteId of notesByDeal.get(dealId) ?? []) {
        const note = noteById.get(noteId);
        for (const fileId of note ? attachmentIds(note) : [])
          if (!dealOfFile.has(fileId)) dealOfFile.set(fileId, dealId);
      }
    }
    const wanted = [...dealOfFile.keys()].filter((id) => !onlyFileIds || onlyFileIds.has(id));
    const files = (await Promise.all(chunks(wanted, 100).map((ids) => this.client.searchFilesByIds(ids)))).flat();
    return files.filter((f) => !f.archived).map((f) => toCrmFile(f, dealOfFile.get(f.id)!));
  }

  /** Up to HUBSPOT_GROUP deals from consecutive pages, and the cursor after them. */
  private async dealsGroup(cursor: FileSyncCursor, dealIds?: string[]) {
    // Keyed by id: a restarted search window reads the deals at its boundary instant again.
    const deals = new Map<string, HubSpotObject>();
    let next: FileSyncCursor | null = cursor;
    while (next && deals.size + HUBSPOT_PAGE <= HUBSPOT_GROUP) {
      const page = await this.page(next, dealIds);
      for (const d of page.deals) deals.set(d.id, d);
      next = page.next;
    }
    return { deals: [...deals.values()], next };
  }

  /** Next page of deals for a full run (list), an incremental run (search windows) or a selective one (ids). */
  private async page(
    cursor: FileSyncCursor,
    dealIds: string[] = [],
  ): Promise<{ deals: HubSpotObject[]; next: FileSyncCursor | null }> {
    switch (cursor.kind) {
      case 'hs-list':
      case 'hs-search':
      case 'hs-ties': {
        const page = await modifiedPage(this.client, this.dealPages, cursor);
        return { deals: page.objects, next: page.next };
      }
      case 'ids': {
        const ids = dealIds.slice(cursor.offset, cursor.offset + HUBSPOT_PAGE);
        const deals = await this.client.batchRead('deals', ids, HUBSPOT_DEAL_PROPERTIES);
        const end = cursor.offset + HUBSPOT_PAGE;
        return { deals, next: end < dealIds.length ? { kind: 'ids', offset: end } : null };
      }
      default:
        throw new Error(`cursor ${cursor.kind} is not a HubSpot cursor`);
    }
  }
}
