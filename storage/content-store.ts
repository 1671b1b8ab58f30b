import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface StoredContent { sha256: string; size: number; alreadyStored: boolean }

/**
 * Content-addressed files on disk: `<root>/ab/cd/<sha256>`. The same bytes are stored once, whichever CRM file
 * they came from. Writes go to a temporary file while hashing and are renamed into place, so a crash never
 * leaves a partial blob under a real name.
 */
export class ContentStore {
  constructor(readonly root: string) {}

  pathFor(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new Error('not a sha256');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async has(sha256: string): Promise<boolean> {
    try { await stat(this.pathFor(sha256)); return true; } catch { return false; }
  }

  async size(sha256: string): Promise<number | undefined> {
    try { return (await stat(this.pathFor(sha256))).size; } catch { return undefined; }
  }

  /** Streams bytes to disk while hashing; `onChunk` lets long downloads heartbeat. */
  async put(body: ReadableStream<Uint8Array>, onChunk?: (bytesSoFar: number) => void): Promise<StoredContent> {
    await mkdir(join(this.root, 'tmp'), { recursive: true });
    const tmp = join(this.root, 'tmp', `${Date.now()}-${randomBytes(6).toString('hex')}`);
    const hash = createHash('sha256');
    const file = await open(tmp, 'w');
    let size = 0;
    try {
      for await (const chunk of body as AsyncIterable<Uint8Array>) {
        hash.update(chunk);
        await file.write(chunk);
        size += chunk.byteLength;
        onChunk?.(size);
      }
    } catch (err) {
      await file.close();
      await rm(tmp, { force: true });
      throw err;
    }
    await file.close();
    const sha256 = hash.digest('hex');
    const target = this.pathFor(sha256);
    if (await this.has(sha256)) {
      await rm(tmp, { force: true });
      return { sha256, size, alreadyStored: true };
    }
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tmp, target);
    return { sha256, size, alreadyStored: false };
  }

  read(sha256: string): ReadStream {
    return createReadStream(this.pathFor(sha256));
  }
}
