import type { FastifyReply } from 'fastify';

/**
 * WorkDrive's error ids (crm-apis.md 3, meanings as Zoho's n8n node words them). Ids for cases the docs leave
 * unnamed are ours: INVALID_OAUTHTOKEN (bad or missing token, named like the documented INVALID_OAUTHSCOPE) and
 * F000 for every other failure (bad request, too large, throttled, server error) — a client must decide by status.
 */
export const WD_ERRORS = {
  R501: 'Resource not found',
  R502: 'Permission denied',
  R503: 'Destination not found',
  R504: 'A resource with this name already exists',
  R509: 'The resource is already in this folder',
  F000: 'Something went wrong',
  INVALID_OAUTHTOKEN: 'Invalid OAuth token',
  INVALID_OAUTHSCOPE: 'Invalid OAuth scope',
} as const;
export type WdErrorId = keyof typeof WD_ERRORS;

export const JSON_API = 'application/vnd.api+json';

export function errorBody(id: WdErrorId, title: string = WD_ERRORS[id]) {
  return { errors: [{ id, title }] };
}

export function wdError(reply: FastifyReply, status: number, id: WdErrorId, title?: string) {
  return reply.code(status).type(JSON_API).send(errorBody(id, title));
}

/** The body of an injected status fault. */
export function faultBody(status: number): unknown {
  if (status === 401) return errorBody('INVALID_OAUTHTOKEN');
  if (status === 429) return errorBody('F000', 'Too many requests');
  if (status === 404) return errorBody('R501');
  return errorBody('F000');
}
