import type { z } from 'zod';
import { classifyNetworkError, classifyResponse, MAX_RETRY_WAIT_MS, safeUrl } from './classify.js';
import { AuthError, type ConnectorError, RateLimitedError, UnavailableError } from './errors.js';
import type { RateGovernor } from './rate-governor.js';
import { sendStreamed } from './streamed-request.js';

export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Relative to the client's base URL, or absolute. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  json?: unknown;
  /** A `ReadableStream` is streamed (through node:http, see streamed-request.ts) and never sent a second time. */
  body?: RequestInit['body'];
  timeoutMs?: number;
  /** Skip the auth provider (e.g. a pre-signed download URL). */
  anonymous?: boolean;
  /** Error statuses the caller reads itself (e.g. Zoho's 400 with per-record results). */
  acceptStatuses?: number[];
  /** Not an API call, so outside the rate budget (e.g. a file from HubSpot's CDN through a signed URL). */
  unmetered?: boolean;
  /** A second budget this call must also fit (e.g. HubSpot's search limit per second). */
  alsoWithin?: RateGovernor;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  body: unknown;
}

/**
 * Supplies auth headers; `onRejected` may refresh credentials once after a 401 and return true to retry. It gets
 * the headers the rejected request carried, so a token another caller already replaced is not replaced again.
 */
export interface AuthProvider {
  headers(): Promise<Record<string, string>>;
  onRejected?(error: ConnectorError, sentHeaders: Record<string, string>): Promise<boolean>;
}

/**
 * Provider-specific reading of a response before the generic classifier: returns an error for error bodies that
 * arrive with any status (Zoho Accounts answers `{"error": …}` with 200 as well as 400).
 */
export type BodyErrorCheck = (res: HttpResponse) => ConnectorError | undefined;

export interface HttpClientOptions {
  baseUrl: string | (() => Promise<string>);
  timeoutMs?: number;
  governor?: RateGovernor;
  auth?: AuthProvider;
  bodyErrorCheck?: BodyErrorCheck;
  userAgent?: string;
}

/**
 * The only place that calls fetch for a CRM. It applies the rate governor, timeouts and auth, parses
 * JSON / 204 / 304 bodies, and turns every failure into one error of the closed set. It never retries,
 * except once after an auth refresh.
 */
export class HttpClient {
  constructor(private readonly opts: HttpClientOptions) {}

  async request(req: HttpRequest): Promise<HttpResponse> {
    return (await this.withAuthRetry(req, false)) as HttpResponse;
  }

  /** A JSON request whose body must match `schema`; `data` is undefined for 204/304. */
  async json<S extends z.ZodType>(
    req: HttpRequest,
    schema: S,
  ): Promise<{ status: number; headers: Headers; data: z.output<S> | undefined }> {
    const res = await this.request(req);
    if (res.body === undefined) return { status: res.status, headers: res.headers, data: undefined };
    const parsed = schema.safeParse(res.body);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`);
      throw new UnavailableError(
        `unexpected response shape from ${safeUrl(await this.url(req))}: ${issues.join('; ')}`,
        {
          status: res.status,
          code: 'INVALID_RESPONSE',
        },
      );
    }
    return { status: res.status, headers: res.headers, data: parsed.data };
  }

  /**
   * A download: any 2xx response (204/205 without a body), its body readable once, network failures mid-body
   * classified like any other. Non-2xx answers (a 304 too) are classified errors.
   */
  async stream(req: HttpRequest): Promise<Response> {
    return (await this.withAuthRetry(req, true)) as Response;
  }

  /**
   * One retry after a 401, only when the auth provider refreshed its credentials and the body can be sent again (a
   * streamed body cannot: the caller's next attempt reopens its source).
   */
  private async withAuthRetry(req: HttpRequest, raw: boolean): Promise<HttpResponse | Response> {
    const authHeaders = req.anonymous || !this.opts.auth ? {} : await this.opts.auth.headers();
    try {
      return await this.send(req, raw, authHeaders);
    } catch (err) {
      if (
        err instanceof AuthError &&
        err.status === 401 &&
        !req.anonymous &&
        !(req.body instanceof ReadableStream) &&
        this.opts.auth?.onRejected &&
        (await this.opts.auth.onRejected(err, authHeaders))
      ) {
        return this.send(req, raw, await this.opts.auth.headers());
      }
      throw err;
    }
  }

  private async send(
    req: HttpRequest,
    raw: boolean,
    authHeaders: Record<string, string>,
  ): Promise<HttpResponse | Response> {
    const url = await this.url(req);
    const headers: Record<string, string> = { accept: 'application/json', ...req.headers, ...authHeaders };
    if (this.opts.userAgent) headers['user-agent'] = this.opts.userAgent;
    let body = req.body;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    }
    const call = async (): Promise<HttpResponse | Response> => {
      let res: Response;
      try {
        const timeoutMs = req.timeoutMs ?? this.opts.timeoutMs ?? 30_000;
        res =
          body instanceof ReadableStream
            ? await sendStreamed(url, { method: req.method ?? 'POST', headers, body, timeoutMs })
            : await fetch(url, { method: req.method ?? 'GET', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw classifyNetworkError(err, url);
      }
      if (raw && res.ok) return downloadResponse(res, url);
      const parsed = await readBody(res, url);
      const out: HttpResponse = { status: res.status, headers: res.headers, body: parsed };
      const bodyError = this.opts.bodyErrorCheck?.(out);
      if (bodyError) throw this.heeded(bodyError);
      const accepted = req.acceptStatuses?.includes(res.status) ?? false;
      // 304 is an answer to a conditional read; a download never asks one, so there it is a failure.
      if (!accepted && res.status >= 300 && (raw || res.status !== 304))
        throw this.heeded(classifyResponse({ status: res.status, headers: res.headers, body: parsed }));
      return out;
    };
    const metered = () => (this.opts.governor && !req.unmetered ? this.opts.governor.run(call) : call());
    return req.alsoWithin ? req.alsoWithin.run(metered) : metered();
  }

  /** An exhausted quota may say hours: other calls of this process hold off for the longest wait we honour. */
  private heeded(error: ConnectorError): ConnectorError {
    if (error instanceof RateLimitedError && error.retryAfterMs)
      this.opts.governor?.pauseFor(Math.min(error.retryAfterMs, MAX_RETRY_WAIT_MS));
    return error;
  }

  async baseUrl(): Promise<string> {
    return typeof this.opts.baseUrl === 'string' ? this.opts.baseUrl : this.opts.baseUrl();
  }

  private async url(req: HttpRequest): Promise<string> {
    const base = await this.baseUrl();
    const url = new URL(/^https?:\/\//.test(req.path) ? req.path : base.replace(/\/$/, '') + req.path);
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) v.forEach((item) => url.searchParams.append(k, String(item)));
      else url.searchParams.set(k, String(v));
    }
    return url.toString();
  }
}

/**
 * A download's response whose body is read through a reader taken at once. ⚠ undici cancels the body of a
 * garbage-collected fetch Response while its stream is unlocked, and the body then ends early *without an error*
 * (undici PR 3199): a caller that kept only `res.body` of a finished fetch got empty content that way.
 */
function downloadResponse(res: Response, url: string): Response {
  const init = { status: res.status, statusText: res.statusText, headers: res.headers };
  if (!res.body) return new Response(null, init);
  const reader = res.body.getReader();
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) controller.close();
          else controller.enqueue(chunk.value);
        } catch (err) {
          controller.error(classifyNetworkError(err, url));
        }
      },
      cancel: (reason) => reader.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  return new Response(body, init);
}

/** 204/304 and empty bodies are `undefined`; JSON is parsed; anything else is kept as text. */
async function readBody(res: Response, url: string): Promise<unknown> {
  if (res.status === 204 || res.status === 304) {
    await res.body?.cancel();
    return undefined;
  }
  let text: string;
  try {
    text = await res.text();
  } catch (err) {
    throw classifyNetworkError(err, url);
  }
  if (text.length === 0) return undefined;
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('json') || /^\s*[[{]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      if (res.ok)
        throw new UnavailableError(`malformed JSON from ${safeUrl(url)}`, {
          status: res.status,
          code: 'INVALID_RESPONSE',
        });
      return text;
    }
  }
  return text;
}
