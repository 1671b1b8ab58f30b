import type { FastifyInstance } from 'fastify';
import { needs } from './wd-auth.js';
import type { WdContext } from './wd-context.js';
import { JSON_API, wdError } from './wd-errors.js';
import { sendList } from './wd-list.js';
import { API_BASE, teamResource, userResource } from './wd-render.js';

/**
 * Who the caller is and where their team folders are (crm-apis.md 3): the user, their one team, their
 * team-member id, the team's folders. Another user's or team's id is 404 R501 (ours).
 */
export function registerTeams(app: FastifyInstance, ctx: WdContext): void {
  const me = () => ctx.store.identity;
  const team = needs('WorkDrive.team.READ');

  app.get(`${API_BASE}/users/me`, team, async (_req, reply) =>
    reply.type(JSON_API).send({ data: userResource(ctx.base(), me()) }),
  );

  app.get(`${API_BASE}/users/:id/teams`, team, async (req, reply) => {
    if ((req.params as { id: string }).id !== me().userId) return wdError(reply, 404, 'R501');
    return reply.type(JSON_API).send({ data: [teamResource(ctx.base(), me())] });
  });

  app.get(`${API_BASE}/teams/:teamId/currentuser`, team, async (req, reply) => {
    if ((req.params as { teamId: string }).teamId !== me().teamId) return wdError(reply, 404, 'R501');
    return reply.type(JSON_API).send({ data: userResource(ctx.base(), me(), me().teamMemberId) });
  });

  app.get(`${API_BASE}/teams/:teamId/teamfolders`, needs('WorkDrive.teamfolders.READ'), async (req, reply) => {
    if ((req.params as { teamId: string }).teamId !== me().teamId) return wdError(reply, 404, 'R501');
    return sendList(ctx, req, reply, ctx.store.teamFolders(), 'teamfolders');
  });
}
