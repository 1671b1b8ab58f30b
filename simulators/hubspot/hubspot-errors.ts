import { randomUUID } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const CATEGORY: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'INVALID_AUTHENTICATION',
  403: 'MISSING_SCOPES',
  404: 'OBJECT_NOT_FOUND',
  409: 'CONFLICT',
  429: 'RATE_LIMITS',
};

/** HubSpot's error body (crm-apis.md 4.6). */
export function hubspotErrorBody(
  status: number,
  message?: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    status: 'error',
    message: message ?? (status >= 500 ? 'internal error' : 'error'),
    correlationId: randomUUID(),
    category: CATEGORY[status] ?? 'INTERNAL_ERROR',
    ...extra,
  };
}

export function hubspotError(
  reply: FastifyReply,
  status: number,
  message: string,
  extra: Record<string, unknown> = {},
) {
  return reply.code(status).send(hubspotErrorBody(status, message, extra));
}

/** 429 body with the policy that was hit; the SDK keys its retries on these messages. */
export function rateLimitBody(policyName: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY'): Record<string, unknown> {
  const word = { TEN_SECONDLY_ROLLING: 'ten_secondly_rolling', SECONDLY: 'secondly', DAILY: 'daily' }[policyName];
  return {
    status: 'error',
    message: `You have reached your ${word} limit.`,
    errorType: 'RATE_LIMIT',
    correlationId: randomUUID(),
    policyName,
    requestId: randomUUID(),
  };
}
