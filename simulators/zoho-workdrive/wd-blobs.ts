import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileBytes } from '../common/files.js';
import type { BlobRef } from './wd-store.js';

/** A file being received: written as it arrives, hashed on the way, named by its hash on commit. */
export interface BlobSink {
  write(chunk: Buffer): Promise<void>;
  commit(): Promise<{ ref: BlobRef; size: number }>;
  abort(): Promise<void>;
}

/** Files above this are streamed to the client; below it they go out as one buffer, so body faults apply. */
const STREAM_ABOVE = 32 * 1024 * 1024;

/**
 * Uploaded bytes: on disk under `dir` (the state dir, so they survive restarts next to the saved metadata), or in
 * memory without one. Content-addressed, so a re-upload of the same bytes costs no space. The directory is made on
 * the first upload, so a start that fails leaves nothing behind.
 */
export class WdBlobs {
  private readonly memory = new Map<string, Buffer>();

  constructor(private readonly dir?: string) {}

  sink(): BlobSink {
    return this.dir ? diskSink(this.dir) : memorySink(this.memory);
  }

  /** The bytes of `ref` (`size` bytes for a seeded file); undefined when an upload's bytes are gone. */
  async read(ref: BlobRef, size: number): Promise<Buffer | Readable | undefined> {
    if (ref.kind === 'seeded') return fileBytes(ref.key, ref.ext, size);
    if (!this.dir) return this.memory.get(ref.sha256);
    const path = join(this.dir, ref.sha256);
    try {
      if (size > STREAM_ABOVE) {
        const handle = await open(path, 'r');
        return handle.createReadStream();
      }
      return await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

function memorySink(memory: Map<string, Buffer>): BlobSink {
  const chunks: Buffer[] = [];
  const hash = createHash('sha256');
  let size = 0;
  return {
    write: async (chunk) => {
      hash.update(chunk);
      chunks.push(chunk);
      size += chunk.length;
    },
    commit: async () => {
      const sha256 = hash.digest('hex');
      if (!memory.has(sha256)) memory.set(sha256, Buffer.concat(chunks, size));
      return { ref: { kind: 'stored', sha256 }, size };
    },
    abort: async () => {
      chunks.length = 0;
    },
  };
}

/** Written to a temporary name and renamed once complete: a crash never leaves a partial file under a hash. */
function diskSink(dir: string): BlobSink {
  const tmp = join(dir, `.upload-${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const hash = createHash('sha256');
  let file: Promise<FileHandle> | undefined;
  let size = 0;
  const handle = () => (file ??= mkdir(dir, { recursive: true }).then(() => open(tmp, 'w')));
  return {
    write: async (chunk) => {
      hash.update(chunk);
      size += chunk.length;
      await (await handle()).write(chunk);
    },
    commit: async () => {
      const fh = await handle();
      await fh.datasync();
      await fh.close();
      const sha256 = hash.digest('hex');
      await rename(tmp, join(dir, sha256));
      return { ref: { kind: 'stored', sha256 }, size };
    },
    abort: async () => {
      if (file) await (await file).close().catch(() => undefined);
      await rm(tmp, { force: true });
    },
  };
}
