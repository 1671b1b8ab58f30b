import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { toApplicationFailure } from '../../activities/failures.js';
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

  it.each([['08006', 'connection failure'], ['40P01', 'deadlock detected'], ['57014', 'canceling statement due to statement timeout']])(
    'a failure of the database itself (SQLSTATE %s) stays retryable', (code, message) => {
      const err = pgError(code, message);
      expect(refusedSqlState(err)).toBeUndefined();
      expect(toApplicationFailure(err)).toBe(err);
    },
  );
});
