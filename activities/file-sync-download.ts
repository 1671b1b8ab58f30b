import { sleep } from '@temporalio/activity';
import type { DealFileSource, DownloadableFile } from '../connectors/capabilities.js';
import { type ContentStore, ContentRejectedError, type StoredContent } from '../storage/content-store.js';

type DownloadFile = DownloadableFile & { size?: number | null; md5?: string | null };

/** Downloads of one file whose bytes do not match the declaration, before it is reported. */
const CONTENT_ATTEMPTS = 3;

/**
 * One file's bytes into the store, checked against the size and MD5 the CRM declared. A body that does not match
 * (cut short, too long, wrong checksum) was still a successful HTTP answer, so no retry policy sees it: it is
 * downloaded afresh here, a bounded number of times, and then given up as that file's error. HTTP and network
 * failures are not retried here; they leave the activity for its retry policy, which skips files already stored.
 */
export async function storeVerified(
  content: ContentStore,
  source: Pick<DealFileSource, 'openContent'>,
  file: DownloadFile,
  maxBytes: number,
  onChunk: (bytes: number) => void,
): Promise<StoredContent> {
  if (file.size != null && file.size > maxBytes) {
    throw new ContentRejectedError(
      `the CRM declares ${file.size} bytes, above the download cap of ${maxBytes}; not downloaded`,
      'above-cap',
      file.size,
    );
  }
  for (let attempt = 1; ; attempt++) {
    const res = await source.openContent(file);
    const announced = res.headers.get('content-length');
    try {
      return await content.put(res.body ?? emptyBody(), {
        expect: { size: file.size, md5: file.md5, maxBytes, announced: announced === null ? null : Number(announced) },
        onChunk,
      });
    } catch (err) {
      if (!(err instanceof ContentRejectedError) || err.reason === 'above-cap') throw err;
      const status = res.status === 200 ? '' : ` (HTTP ${res.status})`;
      if (attempt >= CONTENT_ATTEMPTS)
        throw new ContentRejectedError(`${err.message}${status}, on ${attempt} downloads`, err.reason, err.bytes);
      await sleep(250 * attempt);
    }
  }
}

/** A 204 or 205 has no body: it is empty content, which the size check then judges. */
const emptyBody = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
