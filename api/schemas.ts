import { z } from 'zod';

/** The one error shape of the API. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()) }),
}).meta({ id: 'Error' });

export const errorResponses = { 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 409: ErrorBody, 500: ErrorBody, 503: ErrorBody };

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Limit = z.coerce.number().int().min(1).max(200).default(50);

export const Started = z.object({
  workflowId: z.string(), runId: z.string(), statusUrl: z.string(), temporalUiUrl: z.string(),
}).meta({ id: 'Started' });
