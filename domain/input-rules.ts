import { z } from 'zod';

/**
 * Rules every value from outside (API, CLI, cursors) must meet before it reaches Postgres. Pure, so the API schemas,
 * the services and the repositories' cursor decoders share one definition.
 */

/**
 * The one string guard. Postgres text cannot hold NUL (`invalid byte sequence`, 22021); a lone surrogate reaches
 * Temporal as invalid UTF-8, which its server refuses as an internal error, and Postgres as a silent U+FFFD. Regexes
 * rather than refines, so the rules show in the OpenAPI document.
 */
export const Text = z
  .string()
  // eslint-disable-next-line no-control-regex -- finding NUL is the point
  .regex(/^[^\u0000]*$/, 'must not contain a NUL character')
  .regex(
    /^(?:[^\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/,
    'must not contain a lone surrogate (text must be well-formed Unicode)',
  );

export const hasNul = (s: string): boolean => s.includes('\u0000');

/** Why a string cannot be stored or sent on, or undefined: the same rules as `Text`, for code past the schemas. */
export function unstorable(s: string): string | undefined {
  if (hasNul(s)) return 'must not contain a NUL character';
  return s.isWellFormed() ? undefined : 'must not contain a lone surrogate (text must be well-formed Unicode)';
}

/**
 * Timestamps we accept: years 0001–9999 in UTC. That is the range `toISOString` writes as a plain four-digit year;
 * outside it come `+010000-…` and `-000001-…`, which our responses and cursors would carry, and which reached
 * Postgres as parameters it rejects (a 500 before). Year 0000 is out too: ISO 8601 means 1 BC by it, Postgres has
 * no year 0. Postgres itself could go further (4713 BC to 294276 AD), but no CRM date or filter needs to. An offset
 * can push a four-digit input past the edge (`9999-12-31T23:59:59-14:00`), so the check runs after normalising to UTC.
 */
export const EARLIEST_MS = Date.parse('0001-01-01T00:00:00.000Z');
export const LATEST_MS = Date.parse('9999-12-31T23:59:59.999Z');
export const inTimeRange = (d: Date): boolean => d.getTime() >= EARLIEST_MS && d.getTime() <= LATEST_MS;

/** An ISO 8601 timestamp with offset, as a Date within the range above. */
export const DateTime = z.iso
  .datetime({ offset: true })
  .refine((s) => inTimeRange(new Date(s)), 'must lie between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z')
  .describe('ISO 8601 with an offset; between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z once in UTC')
  .transform((s) => new Date(s));

/** Ids are bigint in Postgres and numbers in JS: a positive safe integer, written in plain digits. */
export const isId = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
