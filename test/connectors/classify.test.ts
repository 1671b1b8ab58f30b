import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../activities/failures.js';
import {
  classifyNetworkError,
  classifyResponse,
  MAX_RETRY_WAIT_MS,
  parseRetryAfter,
} from '../../connectors/classify.js';
import { RateLimitedError } from '../../connectors/errors.js';
import { HttpClient } from '../../connectors/http.js';
import { RateGovernor } from '../../connectors/rate-governor.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');
const h = (entries: Record<string, string> = {}) => new Headers(entries);

describe('classifyResponse', () => {
  const table: Array<{
    name: string;
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    kind: string;
    retryAfterMs?: number;
    exhausted?: boolean;
    code?: string;
  }> = [
    {
      name: 'Zoho 429 TOO_MANY_REQUESTS without Retry-After',
      status: 429,
      body: { code: 'TOO_MANY_REQUESTS', message: 'too many' },
      kind: 'rate-limited',
      retryAfterMs: undefined,
      code: 'TOO_MANY_REQUESTS',
    },
    {
      name: '429 with Retry-After seconds',
      status: 429,
      headers: { 'retry-after': '7' },
      kind: 'rate-limited',
      retryAfterMs: 7000,
    },
    {
      name: '429 with Retry-After HTTP date',
      status: 429,
      headers: { 'retry-after': 'Sun, 22 Nov 2026 10:00:30 GMT' },
      kind: 'rate-limited',
      retryAfterMs: 30_000,
    },
    {
      name: 'HubSpot TEN_SECONDLY_ROLLING waits 10 s',
      status: 429,
      body: {
        errorType: 'RATE_LIMIT',
        policyName: 'TEN_SECONDLY_ROLLING',
        message: 'You have reached your ten_secondly_rolling limit.',
      },
      kind: 'rate-limited',
      retryAfterMs: 10_000,
    },
    {
      name: 'HubSpot SECONDLY (search) waits 1 s',
      status: 429,
      body: { policyName: 'SECONDLY' },
      kind: 'rate-limited',
      retryAfterMs: 1000,
    },
    {
      name: 'HubSpot DAILY is exhausted for the day',
      status: 429,
      body: { policyName: 'DAILY' },
      kind: 'rate-limited',
      exhausted: true,
    },
    {
      name: '429 with Retry-After at the 10-minute cap (still waited out)',
      status: 429,
      headers: { 'retry-after': '600' },
      kind: 'rate-limited',
      retryAfterMs: 600_000,
    },
    {
      name: '429 with Retry-After of 2 h (a quota reset: stop, not wait)',
      status: 429,
      headers: { 'retry-after': '7200' },
      kind: 'rate-limited',
      retryAfterMs: 7_200_000,
      exhausted: true,
    },
    {
      name: '429 with Retry-After HTTP date 3 h ahead (stop, not wait)',
      status: 429,
      headers: { 'retry-after': 'Sun, 22 Nov 2026 13:00:00 GMT' },
      kind: 'rate-limited',
      retryAfterMs: 10_800_000,
      exhausted: true,
    },
    {
      name: '429 with an absurd Retry-After of ten years (ignored)',
      status: 429,
      headers: { 'retry-after': '315360000' },
      kind: 'rate-limited',
      retryAfterMs: undefined,
    },
    {
      name: '429 with Retry-After beyond a double (ignored)',
      status: 429,
      headers: { 'retry-after': '9'.repeat(400) },
      kind: 'rate-limited',
      retryAfterMs: undefined,
    },
    {
      name: '429 with a negative Retry-After (ignored)',
      status: 429,
      headers: { 'retry-after': '-30' },
      kind: 'rate-limited',
      retryAfterMs: undefined,
    },
    {
      name: '429 with Retry-After NaN (ignored)',
      status: 429,
      headers: { 'retry-after': 'NaN' },
      kind: 'rate-limited',
      retryAfterMs: undefined,
    },
    {
      name: '429 with Retry-After 1e999 (ignored)',
      status: 429,
      headers: { 'retry-after': '1e999' },
      kind: 'rate-limited',
      retryAfterMs: undefined,
    },
    {
      name: "HubSpot TEN_SECONDLY_ROLLING with an absurd Retry-After waits the policy's 10 s",
      status: 429,
      headers: { 'retry-after': '99999999999' },
      body: { policyName: 'TEN_SECONDLY_ROLLING' },
      kind: 'rate-limited',
      retryAfterMs: 10_000,
    },
    { name: '500', status: 500, body: { code: 'INTERNAL_ERROR' }, kind: 'unavailable' },
    { name: '502 with an HTML body', status: 502, body: '<html>Bad gateway</html>', kind: 'unavailable' },
    { name: '503', status: 503, kind: 'unavailable' },
    { name: '408 request timeout', status: 408, kind: 'unavailable' },
    {
      name: 'Zoho 401 INVALID_TOKEN',
      status: 401,
      body: { code: 'INVALID_TOKEN', status: 'error' },
      kind: 'auth',
      code: 'INVALID_TOKEN',
    },
    {
      name: 'HubSpot 401',
      status: 401,
      body: { category: 'INVALID_AUTHENTICATION' },
      kind: 'auth',
      code: 'INVALID_AUTHENTICATION',
    },
    { name: '403 missing scopes', status: 403, body: { category: 'MISSING_SCOPES' }, kind: 'auth' },
    { name: '404', status: 404, body: { category: 'OBJECT_NOT_FOUND' }, kind: 'not-found' },
    { name: '410 gone', status: 410, kind: 'not-found' },
    { name: '409', status: 409, body: { category: 'CONFLICT' }, kind: 'conflict' },
    { name: '412 precondition failed (If-Unmodified-Since)', status: 412, kind: 'conflict' },
    {
      name: 'Zoho 400 MANDATORY_NOT_FOUND',
      status: 400,
      body: { code: 'MANDATORY_NOT_FOUND' },
      kind: 'validation',
      code: 'MANDATORY_NOT_FOUND',
    },
    { name: '422', status: 422, kind: 'validation' },
    { name: 'an unexpected 3xx', status: 302, kind: 'unavailable' },
  ];

  for (const row of table) {
    it(`classifies ${row.name} as ${row.kind}`, () => {
      const err = classifyResponse({ status: row.status, headers: h(row.headers), body: row.body, now: NOW });
      expect(err.kind).toBe(row.kind);
      expect(err.status).toBe(row.status);
      if (row.code) expect(err.code).toBe(row.code);
      if (row.kind === 'rate-limited') {
        expect(err).toBeInstanceOf(RateLimitedError);
        expect((err as RateLimitedError).retryAfterMs).toBe(row.retryAfterMs);
        expect((err as RateLimitedError).exhausted).toBe(row.exhausted ?? false);
      }
    });
  }

  it('keeps the provider message in the error message', () => {
    const err = classifyResponse({
      status: 400,
      headers: h(),
      body: { code: 'INVALID_DATA', message: 'invalid data' },
    });
    expect(err.message).toContain('INVALID_DATA');
    expect(err.message).toContain('invalid data');
  });
});

describe('classifyNetworkError', () => {
  it('classifies a refused connection as unavailable and strips the query string', () => {
    const err = classifyNetworkError(
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      'http://x/y?secret=1',
    );
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).not.toContain('secret');
  });

  it('classifies a timeout as unavailable with code TIMEOUT', () => {
    const err = classifyNetworkError(
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'http://x/y',
    );
    expect(err.kind).toBe('unavailable');
    expect(err.code).toBe('TIMEOUT');
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds, dates, and ignores garbage', () => {
    expect(parseRetryAfter('2', NOW)).toBe(2000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:59:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('soon', NOW)).toBeUndefined();
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
  });

  it('reads negative, non-finite and numeric-looking junk as no wait at all', () => {
    for (const junk of ['-1', '-0.5', 'NaN', 'Infinity', '1e999', '0x10', '1.2.3', '+5', '9'.repeat(400)])
      expect(parseRetryAfter(junk, NOW), junk).toBeUndefined();
  });
});

describe('Retry-After never becomes a wait longer than MAX_RETRY_WAIT_MS', () => {
  it('caps the Temporal retry delay of a rate limit, even an exhausted one', () => {
    const failure = toApplicationFailure(
      new RateLimitedError('HTTP 429', { retryAfterMs: 20 * 3_600_000, exhausted: true }),
    ) as { nextRetryDelay?: number; nonRetryable: boolean };
    expect(failure.nextRetryDelay).toBe(MAX_RETRY_WAIT_MS);
    expect(failure.nonRetryable).toBe(true);
    expect(
      (toApplicationFailure(new RateLimitedError('HTTP 429', { retryAfterMs: 0 })) as { nextRetryDelay?: number })
        .nextRetryDelay,
    ).toBe(1000);
  });

  it('pauses the rate governor at most MAX_RETRY_WAIT_MS when a provider asks for hours', async () => {
    const server = createServer((_req, res) =>
      res
        .writeHead(429, { 'retry-after': String(20 * 3600), 'content-type': 'application/json' })
        .end('{"code":"TOO_MANY_REQUESTS"}'),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const governor = new RateGovernor({ maxRequests: 10, perMs: 1000, maxConcurrent: 2 });
      const http = new HttpClient({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, governor });
      const before = Date.now();
      const err = await http.request({ path: '/x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RateLimitedError);
      expect((err as RateLimitedError).exhausted).toBe(true);
      expect(governor.snapshot().pausedUntil - before).toBeLessThanOrEqual(MAX_RETRY_WAIT_MS + 1000);
      expect(governor.snapshot().pausedUntil - before).toBeGreaterThan(MAX_RETRY_WAIT_MS - 60_000);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
