import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { InvalidCursorError } from '../db/repositories/sync-runs.repository.js';
import { BadRequest, Conflict, NotFound } from '../services/errors.js';

type Body = { error: { code: string; message: string; details: Record<string, unknown> } };
const body = (code: string, message: string, details: Record<string, unknown> = {}): Body => ({ error: { code, message, details } });

/** Maps every error to `{ error: { code, message, details } }`; 5xx details stay in the log, never in the response. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({ field: [err.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'), message: v.message }));
      return reply.code(400).send(body('VALIDATION_ERROR', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields }));
    }
    if (err instanceof NotFound) return reply.code(404).send(body('NOT_FOUND', err.message, { resource: err.resource, id: err.id }));
    if (err instanceof BadRequest) return reply.code(400).send(body('BAD_REQUEST', err.message, err.details));
    if (err instanceof InvalidCursorError) return reply.code(400).send(body('BAD_REQUEST', err.message, { field: 'cursor' }));
    if (err instanceof Conflict) return reply.code(409).send(body('CONFLICT', err.message));
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).send(body('INVALID_JSON', err.message));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return reply.code(415).send(body('UNSUPPORTED_MEDIA_TYPE', err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) return reply.code(err.statusCode).send(body(err.code ?? 'BAD_REQUEST', err.message));
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(body('INTERNAL', 'internal error; see the API log'));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send(body('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));
}
