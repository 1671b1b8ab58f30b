import { type IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

/**
 * A request whose body is a stream, sent through node:http instead of fetch. ⚠ undici's fetch keeps every chunk of
 * a streamed request body until the request ends (measured: a 200 MB upload held 200 MB of ArrayBuffers, forced GC
 * or not), so an upload's memory grew with the file. Here the body is piped to the socket with backpressure and
 * each chunk is released once written. The answer comes back as a fetch Response, so callers read it the same way.
 * A server may answer before it has read the body (a 429, a 413): that answer wins over the broken upload.
 */
export async function sendStreamed(
  url: string,
  init: { method: string; headers: Record<string, string>; body: ReadableStream<Uint8Array>; timeoutMs: number },
): Promise<Response> {
  const target = new URL(url);
  const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: init.method,
    headers: init.headers,
  });
  const timer = setTimeout(() => {
    const err = new Error(`no answer within ${init.timeoutMs} ms`);
    err.name = 'TimeoutError';
    req.destroy(err);
  }, init.timeoutMs);
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', (err) => reject(Object.assign(new TypeError('fetch failed'), { cause: err, name: err.name })));
  });
  const sent = pipeline(Readable.fromWeb(init.body as WebReadableStream), collectEvery(GC_EVERY_BYTES), req).catch(
    (err: unknown) => err,
  );
  try {
    const res = await answered;
    const headers = new Headers();
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
    const status = res.statusCode ?? 500;
    const empty = status === 204 || status === 205 || status === 304 || init.method === 'HEAD';
    if (empty) res.resume();
    return new Response(empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), {
      status,
      statusText: res.statusMessage,
      headers,
    });
  } catch (err) {
    await sent;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** Bytes streamed between two collections: an upload of any size holds at most about this much dead chunk memory. */
const GC_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Passes chunks through and, when the process exposes `gc` (the worker runs with --expose-gc), collects every
 * `bytes`. ⚠ Each chunk of a stream is a new ArrayBuffer; once written it is garbage, but V8 frees ArrayBuffers only
 * when it collects, and it let external memory grow to 77 MiB of dead chunks while a 200 MB file streamed at
 * 86 MB/s, memory the allocator then kept. Measured on that upload (worker peak RSS, MB/s): no collection 315 MiB,
 * 84 MB/s; an asynchronous major collection every 32 MiB 303–322 MiB; a synchronous one every 64 MiB 303 MiB,
 * 82 MB/s; every 32 MiB 285 MiB, 70 MB/s; every 16 MiB 267 MiB, 66 MB/s (with the allocator settings of
 * scripts/children.ts WORKER_ENV). Uploads of real services run far below 66 MB/s, so memory wins.
 */
function collectEvery(bytes: number): (source: AsyncIterable<Uint8Array>) => AsyncGenerator<Uint8Array> {
  const gc = (globalThis as { gc?: () => void }).gc;
  return async function* (source) {
    let since = 0;
    for await (const chunk of source) {
      yield chunk;
      since += chunk.byteLength;
      if (gc && since >= bytes) {
        since = 0;
        gc();
      }
    }
  };
}
