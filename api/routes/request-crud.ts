import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REQUEST_STATUSES, type RequestStatus } from '../../db/entities/index.js';
import { Cursor, DateTime, errorResponses, Id, Limit, pageOf, Text } from '../schemas.js';
import { webhookJobOf } from '../webhook-auth.js';

type App = Parameters<FastifyPluginAsyncZod>[0];
interface RequestView {
  id: number;
  workflowId: string | null;
  temporalUiUrl: string | null;
  status: RequestStatus;
}

/** What a request service offers beside create and list (SI requests, CRM-update requests). */
export interface RequestCrud<V extends RequestView, U> {
  get(id: number): Promise<V>;
  update(id: number, body: U): Promise<V>;
  delete(id: number): Promise<void>;
  replay(id: number): Promise<V>;
}

const IdParams = z.object({ id: Id });

/** What a caller posts: JSON or form fields (a Zoho workflow-rule webhook), kept as received. */
export const RequestPayload = z
  .record(Text.max(100), z.unknown())
  .refine((p) => Object.keys(p).length <= 100, 'at most 100 fields');

/** A stored request as the API shows it: the fields every kind has, plus its own (`own`), named in the OpenAPI. */
export const requestViewSchema = <S extends z.ZodRawShape>(id: string, own: S) =>
  z
    .object({
      id: z.number(),
      jobId: z.string(),
      ...own,
      status: z.enum(REQUEST_STATUSES),
      source: z.string(),
      payload: z.record(z.string(), z.unknown()),
      workflowId: z.string().nullable(),
      result: z.record(z.string(), z.unknown()).nullable(),
      error: z.string().nullable(),
      createdAt: z.string(),
      updatedAt: z.string(),
      startedAt: z.string().nullable(),
      finishedAt: z.string().nullable(),
      temporalUiUrl: z.string().nullable(),
    })
    .meta({ id });

/** The 202 body of a stored request, named per kind of request in the OpenAPI document. */
export const acceptedSchema = (id: string) =>
  z
    .object({
      id: z.number(),
      workflowId: z.string().nullable(),
      statusUrl: z.string(),
      temporalUiUrl: z.string().nullable(),
      status: z.enum(REQUEST_STATUSES),
    })
    .meta({ id });

const CreateQuery = z.strictObject({
  jobId: Text.min(1).max(63).optional(),
  dryRun: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  token: Text.max(256).optional().describe('a job webhook token, instead of the Authorization header'),
});

/** Filters every request list takes, plus the kind's own (`extra`). */
export const requestListQuery = <S extends z.ZodRawShape>(extra: S) =>
  z.strictObject({
    status: z.enum(REQUEST_STATUSES).optional(),
    jobId: Text.min(1).max(63).optional(),
    from: DateTime.optional(),
    to: DateTime.optional(),
    limit: Limit,
    cursor: Cursor(100).optional(),
    ...extra,
  });

/** What every kind of request is created from; the kind adds what it reads from the payload. */
export interface RequestOrigin {
  jobId: string | undefined;
  payload: Record<string, unknown>;
  source: 'api' | 'webhook';
  dryRun: boolean | undefined;
}
interface ListArgs {
  status?: RequestStatus;
  jobId?: string;
  from?: Date;
  to?: Date;
  limit: number;
  cursor?: string;
}
type Page<V> = { items: V[]; nextCursor: string | null };

/**
 * POST (stored, then run) under the request's path and the existing Django service's alias, and the newest-first
 * list. A request authenticated by a job's webhook token runs that job.
 */
export function registerRequestIntake<V extends RequestView, Q extends ListArgs>(
  app: App,
  opts: {
    paths: string[];
    path: string;
    tags: string[];
    create: { summary: string; description: string; run: (origin: RequestOrigin) => Promise<V> };
    list: {
      summary: string;
      query: z.ZodType<Q>;
      view: z.ZodType;
      run: (filter: Omit<Q, 'limit' | 'cursor'>, limit: number, cursor?: string) => Promise<Page<V>>;
    };
    accepted: z.ZodType;
  },
): void {
  const { tags } = opts;
  for (const path of opts.paths) {
    app.post(
      path,
      {
        schema: {
          tags,
          summary: opts.create.summary,
          description: opts.create.description,
          querystring: CreateQuery,
          body: RequestPayload,
          response: { 202: opts.accepted, ...errorResponses },
        },
      },
      async (req, reply) => {
        const webhookJob = webhookJobOf(req);
        const query = req.query as z.output<typeof CreateQuery>;
        const view = await opts.create.run({
          jobId: webhookJob ?? query.jobId,
          payload: req.body as Record<string, unknown>,
          source: webhookJob ? 'webhook' : 'api',
          dryRun: query.dryRun,
        });
        return reply.code(202).send(acceptedView(opts.path, view));
      },
    );
  }
  app.get(
    opts.path,
    {
      schema: {
        tags,
        summary: opts.list.summary,
        querystring: opts.list.query,
        response: { 200: pageOf(opts.list.view), ...errorResponses },
      },
    },
    async (req) => {
      const { limit, cursor, ...filter } = req.query as Q;
      return opts.list.run(filter, limit, cursor);
    },
  );
}

/** The 202 of a stored request: where to follow it. */
export const acceptedView = (path: string, v: RequestView) => ({
  id: v.id,
  workflowId: v.workflowId,
  statusUrl: `${path}/${v.id}`,
  temporalUiUrl: v.temporalUiUrl,
  status: v.status,
});

/**
 * GET, PUT and DELETE of one request under its path and under the existing Django service's alias (with its
 * trailing slash), and the replay; the same rules for both kinds of request (409 while it runs).
 */
export function registerRequestCrud<V extends RequestView, U>(
  app: App,
  opts: {
    path: string;
    alias: string;
    tags: string[];
    noun: string;
    view: z.ZodType;
    updateBody: z.ZodType;
    accepted: z.ZodType;
    replaySummary: string;
    service: RequestCrud<V, U>;
  },
): void {
  const { tags, service } = opts;
  for (const [prefix, suffix] of [
    [opts.path, ''],
    [opts.alias, '/'],
  ] as const) {
    app.get(
      `${prefix}/:id${suffix}`,
      {
        schema: {
          tags,
          summary: `One ${opts.noun} with its workflow's outcome`,
          params: IdParams,
          response: { 200: opts.view, ...errorResponses },
        },
      },
      async (req) => service.get((req.params as { id: number }).id),
    );
    app.put(
      `${prefix}/:id${suffix}`,
      {
        schema: {
          tags,
          summary: `Edit a ${opts.noun} that is not running`,
          params: IdParams,
          body: opts.updateBody,
          response: { 200: opts.view, ...errorResponses },
        },
      },
      async (req) => service.update((req.params as { id: number }).id, req.body as U),
    );
    app.delete(
      `${prefix}/:id${suffix}`,
      {
        schema: {
          tags,
          summary: `Delete a ${opts.noun} that is not running`,
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await service.delete((req.params as { id: number }).id);
        return reply.code(204).send(null);
      },
    );
  }
  app.post(
    `${opts.path}/:id/replay`,
    {
      schema: {
        tags,
        summary: opts.replaySummary,
        params: IdParams,
        response: { 202: opts.accepted, ...errorResponses },
      },
    },
    async (req, reply) =>
      reply.code(202).send(acceptedView(opts.path, await service.replay((req.params as { id: number }).id))),
  );
}
