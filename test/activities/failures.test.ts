import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { type Disposition, dispositionOf, itemErrorCode, toApplicationFailure } from '../../activities/failures.js';
import { ConfigError } from '../../config/env.js';
import {
  AuthError,
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UnavailableError,
  ValidationError,
} from '../../connectors/errors.js';
import { UnknownConnectionError, WrongProviderError } from '../../domain/errors.js';
import { ContentRejectedError } from '../../storage/content-store.js';
import { refusedSqlState } from '../../db/repositories/record-refusals.js';

/** What pg raises, as MikroORM wraps it: the SQLSTATE on the error or on its cause. */
const pgError = (code: string, message: string, wrapped = false) => {
  const pg = Object.assign(new Error(message), { code, detail: 'Key (x)=(y) already exists.' });
  return wrapped ? Object.assign(new Error(`insert into … - ${message}`), { cause: pg }) : pg;
};

describe('database errors in activities', () => {
  it.each([
    ['22001', 'value too long for type character varying(255)', false],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00', true],
    ['23505', 'duplicate key value violates unique constraint "leads_connection_zoho_unique"', true],
  ])('a refusal of the data (SQLSTATE %s) fails the activity for good, with the reason', (code, message, wrapped) => {
    const failure = toApplicationFailure(pgError(code, message, wrapped)) as ApplicationFailure;
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect(failure).toMatchObject({ type: 'RefusedByDatabase', nonRetryable: true });
    expect(failure.message).toContain(message);
    expect(failure.message).not.toContain('insert into');
  });

  it.each([
    ['08006', 'connection failure'],
    ['40P01', 'deadlock detected'],
    ['57014', 'canceling statement due to statement timeout'],
  ])('a failure of the database itself (SQLSTATE %s) stays retryable', (code, message) => {
    const err = pgError(code, message);
    expect(refusedSqlState(err)).toBeUndefined();
    expect(toApplicationFailure(err)).toBe(err);
  });
});

describe('the one error path: dispositionOf', () => {
  it.each<[string, unknown, Disposition]>([
    ['a 429 with time to wait', new RateLimitedError('HTTP 429', { retryAfterMs: 2000 }), 'retry'],
    ['a daily quota used up', new RateLimitedError('HTTP 429', { exhausted: true }), 'fatal'],
    ['a 5xx or a network failure the connector saw', new UnavailableError('HTTP 503'), 'retry'],
    ['a refused token', new AuthError('HTTP 401'), 'fatal'],
    ['a record the CRM refuses', new ValidationError('HTTP 400', { code: 'INVALID_DATA' }), 'item'],
    ['a record that is gone', new NotFoundError('HTTP 404'), 'item'],
    ['a write conflict on a record', new ConflictError('HTTP 409'), 'item'],
    ['bytes that do not match the declaration', new ContentRejectedError('3 of 10 bytes', 'size', 3), 'item'],
    ['a value our tables refuse', pgError('23505', 'duplicate key value'), 'item'],
    ['Postgres going away', pgError('08006', 'connection failure'), 'retry'],
    ['a connection that does not exist', new UnknownConnectionError('gone'), 'fatal'],
    ['a connection that cannot do the job', new WrongProviderError('hs', 'hubspot', 'leads'), 'fatal'],
    ['a missing secret', new ConfigError(['HUBSPOT_TOKEN is not set']), 'fatal'],
    ['anything unrecognised (a socket error, a bug)', new TypeError('fetch failed'), 'retry'],
  ])('%s → %s', (_name, err, expected) => {
    expect(dispositionOf(err)).toBe(expected);
  });

  it.each<[string, unknown, boolean]>([
    ['retry', new UnavailableError('HTTP 503'), false],
    ['item', new ValidationError('HTTP 400'), true],
    ['fatal', new WrongProviderError('hs', 'hubspot', 'leads'), true],
    ['fatal (unknown connection)', new UnknownConnectionError('gone'), true],
  ])(
    'a %s failure leaving an activity is retryable exactly when the disposition says retry',
    (_name, err, nonRetryable) => {
      const failure = toApplicationFailure(err) as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect(failure.nonRetryable).toBe(nonRetryable);
      expect(failure.type).toBe((err as Error).name);
      expect((failure.details?.[0] as { disposition: string }).disposition).toBe(dispositionOf(err));
    },
  );

  it.each([
    [new ValidationError('HTTP 400', { code: 'INVALID_DATA' }), 'ValidationError'],
    [new NotFoundError('HTTP 404'), 'NotFoundError'],
    [new ContentRejectedError('checksum', 'checksum', 10), 'CONTENT_CHECKSUM_MISMATCH'],
    [pgError('22001', 'value too long', true), 'REFUSED_BY_DATABASE'],
  ])('item events carry an actionable code: %s → %s', (err, code) => {
    expect(itemErrorCode(err)).toBe(code);
  });
});
