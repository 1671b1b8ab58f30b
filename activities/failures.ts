import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../config/env.js';
import { MAX_RETRY_WAIT_MS } from '../connectors/classify.js';
import { isConnectorError, RateLimitedError } from '../connectors/errors.js';
import { refusalMessage, refusedSqlState } from '../db/repositories/record-refusals.js';
import { UnknownConnectionError, WrongProviderError } from '../domain/errors.js';
import { ContentRejectedError } from '../storage/content-store.js';

/**
 * What an error means for a sync, decided here and nowhere else:
 * - `item`: about one record (the CRM or our tables refused it, it is gone, its bytes are wrong). Inside a loop
 *   over records it is recorded in `sync_events` and the run goes on; if it escapes an activity, another attempt
 *   would fail the same way, so the activity fails without retry.
 * - `retry`: the service, the network or the database hiccuped; the activity's retry policy tries again (rate
 *   limits after the wait the provider asked for).
 * - `fatal`: nothing will work until someone acts (credentials, configuration, a connection that does not exist
 *   or cannot do this job, a daily quota used up); the activity fails without retry and the run reports it.
 * Errors we do not recognise (sockets, timeouts, bugs) are `retry`: bounded by the policy's attempts.
 */
export type Disposition = 'item' | 'retry' | 'fatal';

export function dispositionOf(err: unknown): Disposition {
  if (err instanceof UnknownConnectionError || err instanceof WrongProviderError || err instanceof ConfigError)
    return 'fatal';
  if (err instanceof ContentRejectedError) return 'item';
  // Our tables refused a value (SQLSTATE 22/23): the same input fails the same way on every attempt.
  if (refusedSqlState(err)) return 'item';
  if (!isConnectorError(err)) return 'retry';
  switch (err.kind) {
    case 'rate-limited':
      return (err as RateLimitedError).exhausted ? 'fatal' : 'retry';
    case 'unavailable':
      return 'retry';
    case 'auth':
      return 'fatal';
    case 'validation':
    case 'not-found':
    case 'conflict':
      return 'item';
  }
}

/**
 * The code an item event carries: one of a closed set a user can filter on (the connector error class, a content
 * or database refusal); the provider's own code stays in the message.
 */
export function itemErrorCode(err: unknown): string {
  if (err instanceof ContentRejectedError) return CONTENT_ERROR_CODES[err.reason];
  if (refusedSqlState(err)) return 'REFUSED_BY_DATABASE';
  return err instanceof Error ? err.name : 'Error';
}

export const CONTENT_ERROR_CODES: Record<ContentRejectedError['reason'], string> = {
  'above-cap': 'CONTENT_TOO_LARGE',
  'too-long': 'CONTENT_TOO_LONG',
  size: 'CONTENT_SIZE_MISMATCH',
  checksum: 'CONTENT_CHECKSUM_MISMATCH',
};

/**
 * The one mapping to Temporal failures, from the disposition: `item` and `fatal` are non-retryable, so retry
 * policies need no list of error types. The failure `type` is the error class name (RefusedByDatabase for our
 * tables); rate limits carry the wait the provider asked for. Messages never contain secrets: connectors strip
 * query strings and never echo headers.
 */
export function toApplicationFailure(err: unknown): unknown {
  const disposition = dispositionOf(err);
  const sqlState = refusedSqlState(err);
  if (sqlState)
    return ApplicationFailure.create({
      type: 'RefusedByDatabase',
      message: `our database refused a value (SQLSTATE ${sqlState}): ${refusalMessage(err)}`,
      nonRetryable: true,
      details: [{ disposition }],
    });
  if (disposition === 'retry' && !isConnectorError(err)) return err;
  const e = err as Error & { kind?: string; status?: number; code?: string };
  const details = [{ disposition, kind: e.kind ?? null, status: e.status ?? null, code: e.code ?? null }];
  const nextRetryDelay =
    err instanceof RateLimitedError && err.retryAfterMs !== undefined
      ? Math.min(Math.max(err.retryAfterMs, 1000), MAX_RETRY_WAIT_MS)
      : undefined;
  return ApplicationFailure.create({
    type: e.name,
    message: e.message,
    details,
    nonRetryable: disposition !== 'retry',
    nextRetryDelay,
  });
}

/** Wraps each activity of a group so every error it throws leaves as a classified failure. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, fn]) => [
      name,
      async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          throw toApplicationFailure(err);
        }
      },
    ]),
  ) as T;
}
