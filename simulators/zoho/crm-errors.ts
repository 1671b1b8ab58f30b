import type { FastifyReply } from 'fastify';

/** Request-level error envelope of Zoho CRM (crm-apis.md 2.5). */
export function zohoError(
  reply: FastifyReply,
  status: number,
  code: string,
  message: string,
  details: Record<string, unknown> = {},
) {
  return reply.code(status).send({ code, details, message, status: 'error' });
}

export function zohoErrorBody(status: number): unknown {
  if (status === 429) return { code: 'TOO_MANY_REQUESTS', details: {}, message: 'too many requests', status: 'error' };
  if (status === 401) return { code: 'INVALID_TOKEN', details: {}, message: 'invalid oauth token', status: 'error' };
  return { code: 'INTERNAL_ERROR', details: {}, message: 'Internal Server Error', status: 'error' };
}

export type ItemResult = {
  code: string;
  details: Record<string, unknown>;
  message: string;
  status: 'success' | 'error';
  action?: string;
  duplicate_field?: string | null;
};

export const itemError = (code: string, message: string, details: Record<string, unknown>): ItemResult => ({
  code,
  details,
  message,
  status: 'error',
});

/** ⚠ 201/200 when every item succeeded, 207 for mixed results, 400 when all failed (crm-apis.md 2.5). */
export function batchStatus(items: ItemResult[], allOk: number): number {
  const ok = items.filter((i) => i.status === 'success').length;
  if (ok === items.length) return allOk;
  return ok === 0 ? 400 : 207;
}
