import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredContent {
  sha256: string;
  size: number;
  alreadyStored: boolean;
}

/** What the source declared about the bytes; `put` stores nothing that does not match it. */
export interface ContentExpectation {
  /** Byte count the source declared; null when it declared none. */
  size?: number | null;
  /** Hex MD5 the source declared, when it declares one. */
  md5?: string | null;
  /** Reading stops past this many bytes, whatever was declared. */
  maxBytes?: number;
  /** Length the transport announced (Content-Length): more than allowed is refused before reading. */
  announced?: number | null;
}

/** `above-cap` is final; the others may be a bad transfer that a fresh download fixes. */
export type RejectReason = 'above-cap' | 'too-long' | 'size' | 'checksum';

/** A body that is not the content its source declared; nothing was stored. */
export class ContentRejectedError extends Error {
  /** `bytes`: received so far, or announced when the body was refused before reading. */
  constructor(
    message: string,
    readonly reason: RejectReason,
    readonly bytes: number,
  ) {
    super(message);
    this.name = 'ContentRejectedError';
  }
}

/**
 * Content-addressed files on disk: `<root>/ab/cd/<sha256>`. The same bytes are stored once, whichever CRM file
 * they came from. Writes go to a temporary file while hashing and are renamed into place only once the bytes match
 * what was expected, so neither a crash nor a bad body leaves content under a real name.
 */
export class ContentStore {
  constructor(readonly root: string) {}

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathFor(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathFor(sha256))).size;
    } catch {
      return undefined;
    }
  }

  /**
   * Streams bytes to disk while hashing and checks them against `expect`; `onChunk` lets long downloads heartbeat.
   * A mismatch throws ContentRejectedError; a body past its limit is cancelled there, unread.
   */
  async put(
    body: ReadableStream<Uint8Array>,
    opts: { expect?: ContentExpectation; onChunk?: (bytesSoFar: number) => void } = {},
  ): Promise<StoredContent> {
    // ⚠ The reader is taken before the first await: undici cancels the body of a garbage-collected fetch Response
    // whose stream is still unlocked, and that body then ends early without an error (undici PR 3199).
    const reader = body.getReader();
    const expect = opts.expect ?? {};
    const limit = Math.min(expect.size ?? Infinity, expect.maxBytes ?? Infinity);
    if (expect.announced != null && expect.announced > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLong(expect, expect.announced, 'announces');
    }
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    const tmp = join(this.root, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const sha = createHash('sha256');
    const md5 = expect.md5 ? createHash('md5') : undefined;
    const file = await open(tmp, 'w');
    let size = 0;
    try {
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        size += chunk.value.byteLength;
        if (size > limit) {
          await reader.cancel().catch(() => undefined);
          throw tooLong(expect, size, 'sent at least');
        }
        sha.update(chunk.value);
        md5?.update(chunk.value);
        await file.write(chunk.value);
        opts.onChunk?.(size);
      }
      if (expect.size != null && size !== expect.size) {
        throw new ContentRejectedError(
          `size mismatch: received ${size} bytes, the CRM declared ${expect.size}`,
          'size',
          size,
        );
      }
      const gotMd5 = md5?.digest('hex');
      if (gotMd5 && gotMd5 !== expect.md5?.toLowerCase()) {
        throw new ContentRejectedError(
          `checksum mismatch: received bytes with MD5 ${gotMd5}, the CRM declared ${expect.md5}`,
          'checksum',
          size,
        );
      }
    } catch (err) {
      await file.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await file.close();
    return this.commit(tmp, sha.digest('hex'), size);
  }

  read(sha256: string): ReadStream {
    return createReadStream(this.pathFor(sha256));
  }

  private async commit(tmp: string, sha256: string, size: number): Promise<StoredContent> {
    const target = this.pathFor(sha256);
    if (await this.has(sha256)) {
      await rm(tmp, { force: true });
      return { sha256, size, alreadyStored: true };
    }
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tmp, target);
    return { sha256, size, alreadyStored: false };
  }
}

function tooLong(expect: ContentExpectation, bytes: number, verb: string): ContentRejectedError {
  const declared = expect.size ?? Infinity;
  const cap = expect.maxBytes ?? Infinity;
  return declared <= cap
    ? new ContentRejectedError(
        `body too long: it ${verb} ${bytes} bytes, the CRM declared ${declared}`,
        'too-long',
        bytes,
      )
    : new ContentRejectedError(
        `body too large: it ${verb} ${bytes} bytes, above the download cap of ${cap}`,
        'above-cap',
        bytes,
      );
}
