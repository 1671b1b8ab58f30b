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
  const sent = pipeline(Readable.fromWeb(init.body as WebReadableStream), req).catch((err: unknown) => err);
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
