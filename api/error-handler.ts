import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { InvalidCursorError } from '../db/repositories/id-cursor.js';
import { refusedSqlState } from '../db/repositories/record-refusals.js';
import { UnknownConnectionError, WrongProviderError } from '../domain/errors.js';
import { BadRequest, Conflict, InvalidFields, NotFound } from '../services/errors.js';

type Body = { error: { code: string; message: string; details: Record<string, unknown> } };
const body = (code: string, message: string, details: Record<string, unknown> = {}): Body => ({
  error: { code, message, details },
});

/** Maps every error to `{ error: { code, message, details } }`; 5xx details stay in the log, never in the response. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({
        field: [err.validationContext, ...v.instancePath.split('/').filter(Boolean)].join('.'),
        message: v.message,
      }));
      return reply
        .code(400)
        .send(body('VALIDATION_ERROR', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields }));
    }
    if (err instanceof UnknownConnectionError)
      return reply.code(404).send(body('NOT_FOUND', err.message, { resource: 'connection', id: err.connectionId }));
    if (err instanceof WrongProviderError) {
      return reply
        .code(400)
        .send(
          body(err.code, err.message, { fields: ['connectionId'], provider: err.provider, capability: err.capability }),
        );
    }
    if (err instanceof NotFound)
      return reply.code(404).send(body('NOT_FOUND', err.message, { resource: err.resource, id: err.id }));
    if (err instanceof InvalidFields)
      return reply.code(400).send(body('VALIDATION_ERROR', err.message, { fields: err.fields }));
    if (err instanceof BadRequest) return reply.code(400).send(body('BAD_REQUEST', err.message, err.details));
    if (err instanceof InvalidCursorError)
      return reply.code(400).send(body('BAD_REQUEST', err.message, { field: 'cursor' }));
    if (err instanceof Conflict) return reply.code(409).send(body('CONFLICT', err.message));
    const sqlState = refusedSqlState(err);
    if (sqlState) {
      // A value the schemas let through: answer as the client's fault, but log it, since a schema should have caught it.
      req.log.warn({ err }, `database rejected a request value (SQLSTATE ${sqlState})`);
      if (sqlState === '23505')
        return reply.code(409).send(body('CONFLICT', 'a record with the same unique key already exists'));
      return reply.code(400).send(
        body('BAD_REQUEST', DATA_ERRORS[sqlState] ?? 'a value in the request cannot be stored or compared', {
          sqlState,
        }),
      );
    }
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return reply.code(400).send(body('INVALID_JSON', err.message));
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
      return reply.code(415).send(body('UNSUPPORTED_MEDIA_TYPE', err.message));
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500)
      return reply.code(err.statusCode).send(body(err.code ?? 'BAD_REQUEST', err.message));
    req.log.error({ err }, 'request failed');
    return reply.code(500).send(body('INTERNAL', 'internal error; see the API log'));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(body('NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)),
  );
}

const FRAMEWORK_ERRORS: Record<string, string> = {
  FST_ERR_BAD_URL: 'the URL holds a malformed percent-escape',
  FST_ERR_MAX_PARAM_LENGTH: 'a path parameter is too long',
};

/**
 * Errors Fastify raises while routing, before any hook or the error handler runs (a `%zz` in the path, a path
 * parameter past the router's length limit): passed as the `frameworkErrors` option, so they too get the one shape.
 */
export function frameworkErrorHandler(err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void reply
    .code(err.statusCode ?? 400)
    .send(body(err.code ?? 'BAD_REQUEST', FRAMEWORK_ERRORS[err.code] ?? 'the request cannot be routed'));
}

/** Fixed texts: the driver's own message may quote SQL or values and never reaches the client. */
const DATA_ERRORS: Record<string, string> = {
  '22001': 'a value is too long',
  '22003': 'a number is out of range',
  '22007': 'a date or time has the wrong format',
  '22008': 'a date or time is out of range',
  '22021': 'a text value contains a character that cannot be stored (such as NUL)',
  '22P02': 'a value has the wrong format for its type',
  '22P05': 'a text value contains a character that cannot be stored (such as \\u0000)',
};
