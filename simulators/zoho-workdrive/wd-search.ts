import type { FastifyInstance } from 'fastify';
import { needs } from './wd-auth.js';
import type { WdContext } from './wd-context.js';
import { wdError } from './wd-errors.js';
import { sendList } from './wd-list.js';
import { API_BASE } from './wd-render.js';

const KINDS = ['search[all]', 'search[name]', 'search[content]'] as const;

/**
 * `GET /teams/{team_id}/records?search[name]=q` (crm-apis.md 3): items of the team whose name contains `q`,
 * ignoring case; `filter[type]`, `sort` and paging as on every list. (ours) File contents are not indexed:
 * `search[all]` matches names only and `search[content]` finds nothing. Exactly one search parameter, not empty.
 */
export function registerSearch(app: FastifyInstance, ctx: WdContext): void {
  app.get(`${API_BASE}/teams/:teamId/records`, needs('ZohoSearch.securesearch.READ'), async (req, reply) => {
    if ((req.params as { teamId: string }).teamId !== ctx.store.identity.teamId) return wdError(reply, 404, 'R501');
    const query = req.query as Record<string, unknown>;
    const given = KINDS.filter((k) => query[k] !== undefined);
    const q = given.length === 1 ? query[given[0]!] : undefined;
    if (typeof q !== 'string' || q.trim() === '')
      return wdError(reply, 400, 'F000', `exactly one of ${KINDS.join(', ')} with a value is required`);
    ctx.stats.searches += 1;
    const needle = q.toLocaleLowerCase();
    const hits =
      given[0] === 'search[content]'
        ? []
        : ctx.store.liveNodes().filter((n) => n.name.toLocaleLowerCase().includes(needle));
    return sendList(ctx, req, reply, hits);
  });
}
