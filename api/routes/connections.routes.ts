import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireCapable } from '../../domain/errors.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { CrmConnection } from '../../db/entities/index.js';
import type { AppDeps } from '../app.js';
import { errorResponses, pageOf, Started, Text } from '../schemas.js';

/** What the API shows of a connection: never a secret, not even the names of the variables holding them. */
const Connection = z
  .object({
    id: z.string(),
    provider: z.string(),
    region: z.string().nullable(),
    baseUrls: z.record(z.string(), z.string()),
    budget: z.object({
      maxRequests: z.number(),
      perMs: z.number(),
      maxConcurrent: z.number(),
      dailyLimit: z.number().optional(),
    }),
    updatedAt: z.date(),
  })
  .meta({ id: 'Connection' });

const IdParams = z.object({ id: Text.min(1).max(63) });

const view = (c: CrmConnection) => ({
  id: c.id,
  provider: c.provider,
  region: c.region ?? null,
  baseUrls: Object.fromEntries(
    Object.entries(c.baseUrls).filter((e): e is [string, string] => typeof e[1] === 'string'),
  ),
  budget: c.budget,
  updatedAt: c.updatedAt,
});

export const connectionsRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/connections',
      {
        schema: {
          tags: ['connections'],
          summary: 'List connections',
          response: { 200: pageOf(Connection), ...errorResponses },
        },
      },
      async () => ({ items: (await new ConnectionsRepository(deps.orm.em.fork()).list()).map(view), nextCursor: null }),
    );

    app.get(
      '/connections/:id',
      { schema: { tags: ['connections'], params: IdParams, response: { 200: Connection, ...errorResponses } } },
      async (req) => {
        return view(
          requireCapable(req.params.id, await new ConnectionsRepository(deps.orm.em.fork()).get(req.params.id)),
        );
      },
    );

    app.post(
      '/connections/:id/check',
      {
        schema: {
          tags: ['connections'],
          summary: 'Start a connectionCheck workflow',
          params: IdParams,
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.syncs.startConnectionCheck(req.params.id);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );
  };
