import type { Readable } from 'node:stream';
import type {
  ConnectionCheck,
  FolderStore,
  OffsetPage,
  RemoteFolder,
  RemoteFolderFile,
  UploadedFile,
} from '../capabilities.js';
import type { ZohoTokenManager } from '../zoho-accounts/token-manager.js';
import { WORKDRIVE_PAGE_LIMIT, type WorkdriveClient } from './workdrive.client.js';
import { isFolder, isLive, toFile, toFolder } from './workdrive.mapper.js';
import type { WdResourceRecord } from './workdrive.schemas.js';

export function workdriveCheck(client: WorkdriveClient, tokens: ZohoTokenManager): ConnectionCheck {
  return {
    check: async () => {
      const before = tokens.refreshes;
      await tokens.getToken();
      await client.me();
      return { verified: 'OAuth token + WorkDrive users/me read', tokenRefreshed: tokens.refreshes > before };
    },
  };
}

/** A WorkDrive team folder's person folders, their files, and uploads into them. */
export class WorkdriveFolders implements FolderStore {
  private readonly pageSize: number;

  constructor(
    private readonly client: WorkdriveClient,
    opts: { pageSize?: number } = {},
  ) {
    this.pageSize = Math.min(opts.pageSize ?? WORKDRIVE_PAGE_LIMIT, WORKDRIVE_PAGE_LIMIT);
  }

  async teamFolderChildren(teamFolderId: string, offset = 0): Promise<OffsetPage<RemoteFolder>> {
    const raw = await this.client.children(teamFolderId, 'folders', { limit: this.pageSize, offset });
    return this.page(raw, offset, (r) => (isFolder(r) ? toFolder(r) : undefined));
  }

  async folderFiles(folderId: string, offset = 0): Promise<OffsetPage<RemoteFolderFile>> {
    const raw = await this.client.children(folderId, 'files', { limit: this.pageSize, offset });
    return this.page(raw, offset, (r) => (isFolder(r) ? undefined : toFile(r)));
  }

  async upload(
    folderId: string,
    fileName: string,
    content: Readable | AsyncIterable<Uint8Array>,
    size: number,
  ): Promise<UploadedFile> {
    const done = await this.client.upload({ parentId: folderId, fileName, content, size });
    return { resourceId: done.resourceId, name: done.fileName, permalink: done.permalink };
  }

  /**
   * ⚠ No total and no next link (quirk 10): a page shorter than the limit is the last. Items are counted as the
   * API sent them, before ours are picked, so a page thinned by the filter does not end the listing early.
   */
  private page<T>(raw: WdResourceRecord[], offset: number, pick: (r: WdResourceRecord) => T | undefined) {
    const items = raw.filter(isLive).flatMap((r) => pick(r) ?? []);
    return { items, nextOffset: raw.length < this.pageSize ? null : offset + raw.length };
  }
}
