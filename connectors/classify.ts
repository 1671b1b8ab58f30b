import {
  AuthError,
  ConflictError,
  type ConnectorError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
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

/**
 * The longest Retry-After we wait out. Real waits are seconds: HubSpot's windows are 10 s and 1 s (crm-apis.md 4.7),
 * a throttled Zoho token asks 60 s, Zoho's concurrency 429 clears as calls finish. 10 minutes leaves ample room and
 * stays within the default schedule intervals (5 and 15 minutes); a longer wait means a used-up daily quota (Zoho
 * credits run per rolling 24 h, crm-apis.md 2.6; HubSpot's daily limit resets at midnight), so the run stops instead
 * (`exhausted`, like HubSpot's DAILY) and a later scheduled run resumes from its cursor. It also keeps every timer
 * far below Node's 2^31-1 ms, past which setTimeout fires at once and the rate governor would spin.
 */
export const MAX_RETRY_WAIT_MS = 10 * 60_000;
/** A Retry-After beyond a day is no quota we know of: the header is ignored, the 429 retried with Temporal's backoff. */
const ABSURD_RETRY_AFTER_MS = 24 * 3_600_000;

/** Maps a non-2xx response to one error of the closed set. Pure and table-tested. */
export function classifyResponse(facts: ResponseFacts): ConnectorError {
  const { status, headers, body } = facts;
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const code = pickString(obj.code) ?? pickString(obj.category) ?? pickString(obj.error) ?? pickString(obj.errorType);
  const message = `HTTP ${status}${code ? ` ${code}` : ''}: ${pickString(obj.message) ?? pickString(obj.error_description) ?? pickString(obj.title) ?? (typeof body === 'string' && body ? body.slice(0, 200) : 'no message')}`;
  const init = { status, code, details: pickDetails(obj) };

  if (status === 429) {
    const policy = pickString(obj.policyName);
    const header = parseRetryAfter(headers.get('retry-after'), facts.now ?? Date.now());
    const believed = header !== undefined && header <= ABSURD_RETRY_AFTER_MS ? header : undefined;
    const retryAfterMs = believed ?? (policy ? HUBSPOT_POLICY_WAIT_MS[policy] : undefined);
    const exhausted = policy === 'DAILY' || (retryAfterMs !== undefined && retryAfterMs > MAX_RETRY_WAIT_MS);
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
  const reason =
    e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
  return new UnavailableError(`request to ${safeUrl(url)} failed: ${reason}`, {
    code: e.name === 'TimeoutError' ? 'TIMEOUT' : (e.cause?.code ?? 'NETWORK'),
    cause: err,
  });
}

/**
 * Retry-After is either delta-seconds or an HTTP date (RFC 9110 10.2.3); a date in the past means now. Anything
 * else (negative, `NaN`, `1e999`, garbage) is undefined: no wait was given.
 */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\d{1,15}(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  if (/^[\d.+-]+$|^\s*-/.test(value)) return undefined;
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
