/** A malformed multipart body: answered 400. */
export class MultipartError extends Error {}

export interface PartHead {
  name: string;
  filename?: string;
  contentType?: string;
}
/** What receives one part's bytes as they arrive; `data` is awaited, so a slow disk slows the upload down. */
export interface PartReceiver {
  data(chunk: Buffer): Promise<void> | void;
  end(): Promise<void> | void;
}

const CRLF = Buffer.from('\r\n');
const HEAD_END = Buffer.from('\r\n\r\n');
const MAX_HEAD = 16 * 1024;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/form-data\s*;.*?\bboundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  return m?.[1] ?? m?.[2];
}

/**
 * Reads a multipart/form-data body as it streams in, handing each part's bytes to the receiver `onPart` returns.
 * Only the few bytes that could be the start of a boundary are held back between chunks, so a 250 MB upload
 * never sits in memory as a whole. (A small parser of our own: the project has no multipart dependency.)
 */
export async function readParts(
  body: AsyncIterable<Buffer>,
  boundary: string,
  onPart: (head: PartHead) => PartReceiver,
): Promise<void> {
  // The body's first boundary has no CRLF before it; starting the buffer with one lets a single delimiter match all.
  const delimiter = Buffer.from(`\r\n--${boundary}`);
  let buf: Buffer = Buffer.from(CRLF);
  let state: 'preamble' | 'after' | 'head' | 'body' | 'done' = 'preamble';
  let part: PartReceiver | undefined;
  for await (const chunk of body) {
    if (state === 'done') continue;
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    for (;;) {
      if (state === 'preamble' || state === 'body') {
        const at = buf.indexOf(delimiter);
        const upTo = at < 0 ? Math.max(0, buf.length - delimiter.length + 1) : at;
        if (state === 'body' && upTo > 0) await part!.data(buf.subarray(0, upTo));
        if (at < 0) {
          buf = buf.subarray(upTo);
          break;
        }
        if (state === 'body') await part!.end();
        buf = buf.subarray(at + delimiter.length);
        state = 'after';
      } else if (state === 'after') {
        if (buf.length < 2) break;
        if (buf[0] === 0x2d && buf[1] === 0x2d) {
          state = 'done';
          break;
        }
        const eol = buf.indexOf(CRLF);
        if (eol < 0 || /\S/.test(buf.subarray(0, eol).toString('latin1'))) {
          if (eol < 0 && buf.length < 256) break;
          throw new MultipartError('malformed boundary line');
        }
        buf = buf.subarray(eol + 2);
        state = 'head';
      } else if (state === 'head') {
        const end = buf.subarray(0, 2).equals(CRLF) ? -2 : buf.indexOf(HEAD_END);
        if (end === -1) {
          if (buf.length > MAX_HEAD) throw new MultipartError('part headers too long');
          break;
        }
        part = onPart(parseHead(end < 0 ? '' : buf.subarray(0, end).toString('utf8')));
        buf = buf.subarray(end < 0 ? 2 : end + 4);
        state = 'body';
      } else break;
    }
  }
  if (state !== 'done') throw new MultipartError('the multipart body ends before its closing boundary');
}

function parseHead(text: string): PartHead {
  const headers = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const disposition = headers.get('content-disposition') ?? '';
  if (!/^form-data\b/i.test(disposition)) throw new MultipartError('a part without Content-Disposition: form-data');
  const params = new Map<string, string>();
  for (const m of disposition.matchAll(/;\s*([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/g))
    params.set(m[1]!.toLowerCase(), m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!.trim());
  const name = params.get('name');
  if (name === undefined) throw new MultipartError('a part without a name');
  return { name, filename: params.get('filename'), contentType: headers.get('content-type') };
}
