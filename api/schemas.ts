import { z } from 'zod';
import { Text } from '../domain/input-rules.js';

export { DateTime, Text } from '../domain/input-rules.js';

/** The one error shape of the API. */
export const ErrorBody = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
  })
  .meta({ id: 'Error' });

export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  500: ErrorBody,
  503: ErrorBody,
};

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/**
 * A whole number written in plain digits. `z.coerce.number()` would read `0x10`, `1e3` and ` 1 ` too (so
 * `DELETE /leads/1e3` hit lead 1000) and `1e20` past what a bigint column holds.
 */
export const Digits = (
  min: number,
  max: number,
  description = `a whole number from ${min} to ${max}, in plain digits`,
) =>
  z
    .string()
    .regex(/^\d{1,16}$/, 'must be a whole number in plain digits')
    .describe(description)
    .transform(Number)
    .pipe(z.number().min(min).max(max));

/** A row id in a path: bigint in Postgres, a safe integer in JS. */
export const Id = Digits(1, Number.MAX_SAFE_INTEGER);

export const Limit = Digits(1, 200, 'page size from 1 to 200, in plain digits; 50 when absent').default(50);

/** Cursors are opaque: the repository that issued one decodes it and answers a foreign one with a 400. */
export const Cursor = (max: number) => Text.max(max);

export const Started = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    statusUrl: z.string(),
    temporalUiUrl: z.string(),
  })
  .meta({ id: 'Started' });
