import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

/**
 * Error bodies. The SI OpenAPI declares only 200 and no error schema (crm-apis.md 5), so these are our design:
 * ASP.NET Core ProblemDetails as its `[ApiController]` writes them (and the D-Tools Cloud API answers), served as
 * `application/problem+json`. Field keys in `errors` are the request's camelCase paths (`items[0].model`), JSON
 * syntax and type errors use the JSON path (`$`, `$.price`) like System.Text.Json reports them.
 */
const TITLES: Record<number, string> = {
  400: 'One or more validation errors occurred.',
  401: 'Unauthorized',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'An error occurred while processing your request.',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};
const SECTIONS: Record<number, string> = {
  400: '15.5.1',
  404: '15.5.5',
  409: '15.5.10',
  415: '15.5.16',
  500: '15.6.1',
};

export type FieldErrors = Record<string, string[]>;

export function problemBody(status: number, extra: { detail?: string; errors?: FieldErrors } = {}) {
  const section = SECTIONS[status];
  return {
    ...(section ? { type: `https://tools.ietf.org/html/rfc9110#section-${section}` } : {}),
    title: TITLES[status] ?? (status >= 500 ? TITLES[500]! : 'Error'),
    status,
    ...extra,
    traceId: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`,
  };
}

export function problem(reply: FastifyReply, status: number, extra: { detail?: string; errors?: FieldErrors } = {}) {
  return reply.code(status).type('application/problem+json; charset=utf-8').send(problemBody(status, extra));
}

export function validationProblem(reply: FastifyReply, errors: FieldErrors) {
  return problem(reply, 400, { errors });
}

/** Collects field errors the way ModelState does: several messages per key. */
export class Errors {
  readonly map: FieldErrors = {};
  add(key: string, message: string): void {
    (this.map[key] ??= []).push(message);
  }
  get any(): boolean {
    return Object.keys(this.map).length > 0;
  }
}
