import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RequestStatus } from '../../db/entities/index.js';
import { errorResponses, Id } from '../schemas.js';

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
