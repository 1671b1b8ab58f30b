import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WdContext } from './wd-context.js';
import { JSON_API, wdError } from './wd-errors.js';
import { page, pageOf, sortOf } from './wd-paging.js';
import { resource, TYPE_FILTERS } from './wd-render.js';
import type { WdNode } from './wd-store.js';

/**
 * One page of `nodes` as `{"data":[…]}` after `filter[type]` and `sort`; a bad parameter is 400 (ours: the
 * docs do not say how WorkDrive answers one).
 */
export function sendList(
  ctx: WdContext,
  req: FastifyRequest,
  reply: FastifyReply,
  nodes: WdNode[],
  type: 'files' | 'teamfolders' = 'files',
) {
  const query = req.query as Record<string, unknown>;
  const paging = pageOf(query);
  if ('error' in paging) return wdError(reply, 400, 'F000', paging.error);
  const sort = sortOf(query);
  if ('error' in sort) return wdError(reply, 400, 'F000', sort.error);
  const filterName = query['filter[type]'];
  const filter = filterName === undefined ? () => true : TYPE_FILTERS[String(filterName)];
  if (!filter)
    return wdError(reply, 400, 'F000', `filter[type] must be one of ${Object.keys(TYPE_FILTERS).join(', ')}`);
  const rows = page(nodes.filter(filter).sort(sort.ok), paging.ok);
  return reply.type(JSON_API).send({ data: rows.map((n) => resource(ctx.store, ctx.base(), n, type)) });
}
