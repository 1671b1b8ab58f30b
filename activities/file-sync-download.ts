import { sleep } from '@temporalio/activity';
import { ContentRejectedError, type StoredContent } from '../storage/content-store.js';
import type { ActivityDeps } from './deps.js';

type DownloadFile = { externalFileId: string; dealExternalId: string; access?: string | null; sourceUrl?: string | null; size?: number | null; md5?: string | null };

/** Downloads of one file whose bytes do not match the declaration, before it is reported. */
const CONTENT_ATTEMPTS = 3;
export const CONTENT_ERROR_CODES: Record<ContentRejectedError['reason'], string> = {
  'above-cap': 'CONTENT_TOO_LARGE', 'too-long': 'CONTENT_TOO_LONG', size: 'CONTENT_SIZE_MISMATCH', checksum: 'CONTENT_CHECKSUM_MISMATCH',
};

/**
 * One file's bytes into the store, checked against the size and MD5 the CRM declared. A body that does not match
 * (cut short, too long, wrong checksum) was still a successful HTTP answer, so no retry policy sees it: it is
 * downloaded afresh here, a bounded number of times, and then given up as that file's error. HTTP and network
 * failures are not retried here; they leave the activity for its retry policy, which skips files already stored.
 */
export async function storeVerified(deps: ActivityDeps, provider: string, connectionId: string, file: DownloadFile, maxBytes: number, onChunk: (bytes: number) => void): Promise<StoredContent> {
  if (file.size != null && file.size > maxBytes) {
    throw new ContentRejectedError(`the CRM declares ${file.size} bytes, above the download cap of ${maxBytes}; not downloaded`, 'above-cap', file.size);
  }
  for (let attempt = 1; ; attempt++) {
    const res = await openContent(deps, provider, connectionId, file);
    const announced = res.headers.get('content-length');
    try {
      return await deps.content.put(res.body ?? emptyBody(), {
        expect: { size: file.size, md5: file.md5, maxBytes, announced: announced === null ? null : Number(announced) }, onChunk,
      });
    } catch (err) {
      if (!(err instanceof ContentRejectedError) || err.reason === 'above-cap') throw err;
      const status = res.status === 200 ? '' : ` (HTTP ${res.status})`;
      if (attempt >= CONTENT_ATTEMPTS) throw new ContentRejectedError(`${err.message}${status}, on ${attempt} downloads`, err.reason, err.bytes);
      await sleep(250 * attempt);
    }
  }
}

/** A 204 or 205 has no body: it is empty content, which the size check then judges. */
const emptyBody = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });

/** The file's bytes as the CRM serves them; the caller reads or cancels the body. */
async function openContent(deps: ActivityDeps, provider: string, connectionId: string, file: DownloadFile): Promise<Response> {
  if (provider === 'hubspot') {
    const client = await deps.connectors.hubspot(connectionId);
    // ⚠ Private files are only downloadable through a signed URL (crm-apis.md 6.8).
    const url = file.access === 'private' || !file.sourceUrl ? (await client.getSignedUrl(file.externalFileId, 600)).url : file.sourceUrl;
    return client.download(url);
  }
  const { client } = await deps.connectors.zohoCrm(connectionId);
  return client.downloadAttachment('Deals', file.dealExternalId, file.externalFileId);
}
