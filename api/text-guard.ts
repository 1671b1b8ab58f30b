import type { FastifyInstance } from 'fastify';
import { unstorable } from '../domain/input-rules.js';
import { InvalidFields } from '../services/errors.js';

/**
 * Backstop behind the schemas, which check every string field through `Text`: after validation, a string or key
 * in params, query or body that Postgres or Temporal cannot take (a NUL, a lone surrogate) is a 400 here, before a
 * handler can pass it on.
 */
export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preHandler', async (req) => {
    const parts = { params: req.params, querystring: req.query, body: req.body };
    for (const [context, value] of Object.entries(parts)) {
      const found = badTextAt(value, context, 0);
      if (found) throw new InvalidFields([found]);
    }
  });
}

function badTextAt(value: unknown, path: string, depth: number): { field: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { field: path, message } : undefined;
  }
  if (typeof value !== 'object' || value === null || depth > 20) return undefined;
  for (const [key, v] of Object.entries(value)) {
    const here = `${path}.${key}`;
    const keyProblem = unstorable(key);
    if (keyProblem) return { field: here, message: `key ${keyProblem}` };
    const found = badTextAt(v, here, depth + 1);
    if (found) return found;
  }
  return undefined;
}
