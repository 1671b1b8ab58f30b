import type { FileSyncCursor } from '../../domain/sync-positions.js';
import type {
  ConnectionCheck,
  DealFileSource,
  DealFilesStart,
  DealsPageOptions,
  DownloadableFile,
} from '../capabilities.js';
import type { CrmFile } from '../crm-file.js';
import type { ZohoTokenManager } from '../zoho-accounts/token-manager.js';
import { ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH, type ZohoCrmClient } from './zoho-crm.client.js';
import { toCrmDeal, toCrmFile, ZOHO_DEAL_FIELDS } from './zoho-crm.mapper.js';

export function zohoCheck(client: ZohoCrmClient, tokens: ZohoTokenManager): ConnectionCheck {
  return {
    check: async () => {
      const before = tokens.refreshes;
      await tokens.getToken();
      await client.probe();
      return { verified: 'OAuth token + 1-record Leads read', tokenRefreshed: tokens.refreshes > before };
    },
  };
}

/** Zoho deals with their attachments: one listing call per deal, so pages of deals carry no files. */
export class ZohoDealFiles implements DealFileSource {
  constructor(private readonly client: ZohoCrmClient) {}

  start(opts: DealFilesStart): FileSyncCursor {
    return opts.selective ? { kind: 'ids', offset: 0 } : { kind: 'zoho-page', page: 1 };
  }

  /** Next page of deals: `page` up to 2,000 records, then `page_token` (crm-apis.md 6.4); 304 ends an incremental run. */
  async dealsPage(cursor: FileSyncCursor, opts: DealsPageOptions) {
    if (cursor.kind === 'ids') {
      const dealIds = opts.dealIds ?? [];
      const page = await this.client.listRecords('Deals', {
        fields: ZOHO_DEAL_FIELDS,
        ids: dealIds.slice(cursor.offset, cursor.offset + 100),
        perPage: 100,
      });
      const end = cursor.offset + 100;
      return {
        deals: page.records.map(toCrmDeal),
        next: end < dealIds.length ? ({ kind: 'ids', offset: end } as const) : null,
      };
    }
    if (cursor.kind !== 'zoho-page' && cursor.kind !== 'zoho-token')
      throw new Error(`cursor ${cursor.kind} is not a Zoho cursor`);
    const page = await this.client.listRecords('Deals', {
      fields: ZOHO_DEAL_FIELDS,
      perPage: ZOHO_PAGE_LIMIT,
      modifiedSince: opts.since ?? undefined,
      sortBy: opts.since ? 'Modified_Time' : 'id',
      sortOrder: 'asc',
      ...(cursor.kind === 'zoho-page' ? { page: cursor.page } : { pageToken: cursor.token }),
    });
    const deals = page.records.map(toCrmDeal);
    if (page.notModified || !page.info?.more_records) return { deals, next: null };
    const nextPage = cursor.kind === 'zoho-page' ? cursor.page + 1 : undefined;
    if (nextPage !== undefined && nextPage * ZOHO_PAGE_LIMIT <= ZOHO_PAGE_REACH)
      return { deals, next: { kind: 'zoho-page', page: nextPage } as const };
    const token = page.info.next_page_token;
    if (!token) throw new Error('Zoho reported more records but no next_page_token');
    return { deals, next: { kind: 'zoho-token', token } as const };
  }

  /** One attachments listing per deal is all Zoho offers; link attachments (URLs, no bytes) are not files. */
  async filesOfDeal(dealId: string, onlyFileIds?: Set<string>): Promise<CrmFile[]> {
    const apiBase = await this.client.apiBase();
    const files: CrmFile[] = [];
    for (let page = 1; ; page += 1) {
      const res = await this.client.listAttachments('Deals', dealId, { page, perPage: ZOHO_PAGE_LIMIT });
      for (const a of res.records) {
        if (a.$link_url) continue;
        if (!onlyFileIds || onlyFileIds.has(a.id)) files.push(toCrmFile(a, dealId, apiBase));
      }
      if (!res.info?.more_records) return files;
    }
  }

  openContent(file: DownloadableFile): Promise<Response> {
    return this.client.downloadAttachment('Deals', file.dealExternalId, file.externalFileId);
  }
}
