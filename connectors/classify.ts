import {
  AuthError, ConflictError, type ConnectorError, NotFoundError, RateLimitedError, UnavailableError, ValidationError,
} from './errors.js';

export interface ResponseFacts {
  status: number;
  headers: Headers;
  /** Parsed JSON body when there was one, else the raw text (or undefined when empty). */
  body: unknown;
  /** When the clock says it is (injectable for tests of HTTP-date Retry-After). */
  now?: number;
}

/** Seconds to wait for HubSpot's rate-limit policies (crm-apis.md 6.9). DAILY: no point retrying today. */
const HUBSPOT_POLICY_WAIT_MS: Record<string, number> = { TEN_SECONDLY_ROLLING: 10_000, SECONDLY: 1_000 };

/** Maps a non-2xx response to one error of the closed set. Pure and table-tested. */
export function classifyResponse(facts: ResponseFacts): ConnectorError {
  const { status, headers, body } = facts;
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = pickString(obj.code) ?? pickString(obj.category) ?? pickString(obj.error) ?? pickString(obj.errorType);
  const message = `HTTP ${status}${code ? ` ${code}` : ''}: ${pickString(obj.message) ?? pickString(obj.error_description) ?? pickString(obj.title) ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no message')}`;
  const init = { status, code, details: pickDetails(obj) };

  if (status === 429) {
    const policy = pickString(obj.policyName);
    const exhausted = policy === 'DAILY';
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), facts.now ?? Date.now())
      ?? (policy ? HUBSPOT_POLICY_WAIT_MS[policy] : undefined);
    return new RateLimitedError(message, { ...init, retryAfterMs, exhausted });
  }
  if (status >= 500 || status === 408) return new UnavailableError(message, init);
  if (status === 401 || status === 403) return new AuthError(message, init);
  if (status === 404 || status === 410) return new NotFoundError(message, init);
  if (status === 409 || status === 412) return new ConflictError(message, init);
  if (status >= 400) return new ValidationError(message, init);
  // A non-error status reaching here is a response we cannot use (e.g. an unexpected 3xx): treat as unavailable.
  return new UnavailableError(`unexpected HTTP ${status}`, init);
}

/** Network failures (refused, reset, DNS, timeout) are always `unavailable`: another attempt may work. */
export function classifyNetworkError(err: unknown, url: string): ConnectorError {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  const reason = e.name === 'TimeoutError' ? 'timed out' : e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
  return new UnavailableError(`request to ${safeUrl(url)} failed: ${reason}`, { code: e.name === 'TimeoutError' ? 'TIMEOUT' : e.cause?.code ?? 'NETWORK', cause: err });
}

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Drops the query string: it may carry signatures or tokens. */
export function safeUrl(url: string): string {
  const i = url.indexOf('?');
  return i === -1 ? url : url.slice(0, i);
}

function pickString(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function pickDetails(obj: Record<string, unknown>): Record<string, unknown> | undefined {
  const d = obj.details ?? obj.errors ?? obj.context;
  return d && typeof d === 'object' ? { value: d } : undefined;
}
