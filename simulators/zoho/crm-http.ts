import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { zohoError } from './crm-errors.js';
import { MODULES, type Module } from './crm-store.js';

/** Parses a body as JSON whatever it was labelled; an empty body is no body. */
function asJson(body: string, done: (err: Error | null, body?: unknown) => void): void {
  try {
    done(null, body === '' ? undefined : JSON.parse(body));
  } catch (err) {
    done(Object.assign(err as Error, { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' }));
  }
}

/**
 * Request bodies and framework-level errors as Zoho answers them, not as Fastify does by default.
 * ⚠ The official SDKs send JSON bodies without a Content-Type header (typescript-sdk-8.0 `api_http_connector.js`
 * sets one only for bulk and a few other URLs), and Zoho accepts them: a body without one is read as JSON, and so is
 * `text/plain` (what `fetch` labels a string body). Other unknown types are refused with 415.
 */
export function zohoBodies(app: FastifyInstance, bodyLimit: number): void {
  app.removeContentTypeParser('text/plain');
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => asJson(body as string, done));
  app.addContentTypeParser('*', { parseAs: 'string' }, (req, body, done) => {
    if (req.headers['content-type'] === undefined) return asJson(body as string, done);
    const unsupported = new Error('unsupported content type');
    done(Object.assign(unsupported, { statusCode: 415, code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE' }));
  });

  // Codes for these cases are not documented; the closest documented ones are used (crm-apis.md 2.5).
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const status = err.statusCode ?? 500;
    if (status === 415) {
      return zohoError(reply, 415, 'NOT_SUPPORTED', 'the content type of the request is not supported', {
        content_type: req.headers['content-type'] ?? null,
      });
    }
    if (status === 413)
      return zohoError(reply, 413, 'LIMIT_EXCEEDED', 'the request body is too large', { limit: bodyLimit });
    if (err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError) {
      return zohoError(reply, 400, 'INVALID_DATA', 'the request body is not valid JSON', {
        expected_data_type: 'jsonobject',
      });
    }
    if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
      return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'body is missing', { param_name: 'data' });
    if (status < 500) return zohoError(reply, status, 'INVALID_REQUEST', err.message);
    return zohoError(reply, 500, 'INTERNAL_ERROR', 'Internal Server Error');
  });
}

export const BATCH_LIMIT = 100;

/** The `{module}` path parameter, or an INVALID_MODULE answer. */
export function moduleOf(req: FastifyRequest, reply: FastifyReply): Module | undefined {
  const name = (req.params as { module: string }).module;
  if ((MODULES as readonly string[]).includes(name)) return name as Module;
  void zohoError(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid', { api_name: name });
  return undefined;
}

/** The `data` array of a write (≤ 100 records), or the request-level error. */
export function dataOf(req: FastifyRequest, reply: FastifyReply): Record<string, unknown>[] | undefined {
  const data = (req.body as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data) || data.length === 0) {
    void zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'data is missing', { param_name: 'data' });
    return undefined;
  }
  if (data.length > BATCH_LIMIT) {
    void zohoError(reply, 400, 'LIMIT_EXCEEDED', `at most ${BATCH_LIMIT} records per call`, { limit: BATCH_LIMIT });
    return undefined;
  }
  return data as Record<string, unknown>[];
}
