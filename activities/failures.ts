import { ApplicationFailure } from '@temporalio/common';
import { ConfigError } from '../config/env.js';
import { MAX_RETRY_WAIT_MS } from '../connectors/classify.js';
import { isConnectorError, RateLimitedError } from '../connectors/errors.js';
import { refusalMessage, refusedSqlState } from '../db/repositories/record-refusals.js';

/**
 * The one mapping from connector errors to Temporal failures. The failure `type` is the error class name, which
 * `activityPresets` lists as non-retryable where another attempt cannot help; rate limits carry the wait the
 * provider asked for. Messages never contain secrets: connectors strip query strings and never echo headers.
 */
export function toApplicationFailure(err: unknown): unknown {
  if (err instanceof ConfigError) {
    return ApplicationFailure.create({ type: 'ConfigError', message: err.message, nonRetryable: true });
  }
  // Our tables refused a value (SQLSTATE 22/23) that no per-record fallback caught: the same input fails the same
  // way on every attempt, so retrying would only hide it.
  const sqlState = refusedSqlState(err);
  if (sqlState) return ApplicationFailure.create({ type: 'RefusedByDatabase', message: `our database refused a value (SQLSTATE ${sqlState}): ${refusalMessage(err)}`, nonRetryable: true });
  if (!isConnectorError(err)) return err;
  const details = [{ kind: err.kind, status: err.status ?? null, code: err.code ?? null }];
  if (err instanceof RateLimitedError) {
    return ApplicationFailure.create({
      type: err.name, message: err.message, details, nonRetryable: err.exhausted,
      nextRetryDelay: err.retryAfterMs !== undefined ? Math.min(Math.max(err.retryAfterMs, 1000), MAX_RETRY_WAIT_MS) : undefined,
    });
  }
  const nonRetryable = err.kind === 'auth' || err.kind === 'validation' || err.kind === 'not-found';
  return ApplicationFailure.create({ type: err.name, message: err.message, details, nonRetryable });
}

/** Wraps each activity of a group so every thrown connector error leaves as a classified failure. */
export function classified<T extends Record<string, (...args: never[]) => Promise<unknown>>>(activities: T): T {
  return Object.fromEntries(Object.entries(activities).map(([name, fn]) => [name, async (...args: never[]) => {
    try {
      return await fn(...args);
    } catch (err) {
      throw toApplicationFailure(err);
    }
  }])) as T;
}
