import { randomUUID } from 'node:crypto';
import { ValidationError } from '../errors.js';

export interface MultipartFile {
  field: string;
  fileName: string;
  content: AsyncIterable<Uint8Array | string>;
  size: number;
}

/**
 * A multipart/form-data body streamed from its file part: text fields first, then the bytes as they are read, so
 * nothing is held whole and the length is known up front (`Content-Length`, no chunked encoding). The boundary is
 * fixed before the first byte because it goes in the Content-Type header.
 */
export class MultipartBody {
  readonly boundary = `crm-sync-${randomUUID()}`;
  readonly contentType = `multipart/form-data; boundary=${this.boundary}`;
  readonly length: number;
  readonly stream: ReadableStream<Uint8Array>;
  /** Why the body could not be produced (the source failed or was not `size` bytes): the cause of a failed send. */
  failure: unknown;
  private closed = false;
  private source?: AsyncIterator<Uint8Array | string>;
  private readonly head: Uint8Array;
  private readonly tail: Uint8Array;

  constructor(
    fields: Array<[string, string]>,
    private readonly file: MultipartFile,
  ) {
    const enc = new TextEncoder();
    const parts = fields.map(([name, value]) => `--${this.boundary}\r\n${disposition(name)}\r\n\r\n${value}\r\n`);
    // The file part's own filename is informational; ASCII-safe, the real name travels in a field.
    parts.push(
      `--${this.boundary}\r\n${disposition(file.field)}; filename="${encodeURIComponent(file.fileName)}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    this.head = enc.encode(parts.join(''));
    this.tail = enc.encode(`\r\n--${this.boundary}--\r\n`);
    this.length = this.head.byteLength + file.size + this.tail.byteLength;
    const chunks = this.chunks();
    this.stream = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        },
        cancel: async () => {
          await this.close();
        },
      },
      { highWaterMark: 0 },
    );
  }

  /** Ends reading the source; safe to call when it was never read or is done. */
  async close(): Promise<void> {
    // Closed by us (the request ended early, e.g. a 429 before the body was read): a short read is not the source's
    // fault, and must not hide the answer that ended the request.
    this.closed = true;
    // A Node Readable's iterator destroys it only once started: an unread one is destroyed here.
    const stream = this.file.content as { destroy?: () => void };
    if (typeof stream.destroy === 'function') return stream.destroy();
    this.source ??= this.file.content[Symbol.asyncIterator]();
    await this.source.return?.();
  }

  private async *chunks(): AsyncGenerator<Uint8Array> {
    yield this.head;
    const enc = new TextEncoder();
    let read = 0;
    try {
      this.source ??= this.file.content[Symbol.asyncIterator]();
      for (let next = await this.source.next(); !next.done; next = await this.source.next()) {
        const bytes = typeof next.value === 'string' ? enc.encode(next.value) : next.value;
        read += bytes.byteLength;
        if (read > this.file.size) throw this.sizeMismatch('more');
        yield bytes;
      }
      if (read !== this.file.size) {
        if (this.closed) return;
        throw this.sizeMismatch('fewer');
      }
    } catch (err) {
      if (!this.closed) this.failure ??= err;
      await this.close();
      throw err;
    }
    yield this.tail;
  }

  private sizeMismatch(than: 'more' | 'fewer'): ValidationError {
    return new ValidationError(
      `${this.file.fileName}: the content has ${than} bytes than the ${this.file.size} given`,
      {
        code: 'CONTENT_SIZE_MISMATCH',
      },
    );
  }
}

function disposition(name: string): string {
  return `Content-Disposition: form-data; name="${name}"`;
}
