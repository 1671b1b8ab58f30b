import type { FastifyInstance, FastifyRequest } from 'fastify';
import { wdError } from './wd-errors.js';
import { API_BASE, DOWNLOAD_BASE } from './wd-render.js';

/**
 * Decides whether an access token is good, and for which org; injected so the caller binds it to the tokens of
 * one Zoho Accounts org. `scopes` undefined: the token may do everything.
 */
export type VerifyToken = (token: string) => { org: string; scopes?: string[] } | null;

type Authed = FastifyRequest & { scopes?: string[] };

/** The scope a route needs, declared in its `config`. */
export const needs = (scope: string) => ({ config: { scope } });

/** `WorkDrive.files.ALL` grants `WorkDrive.files.READ` and the rest; names compare exactly (ours). */
export function hasScope(scopes: string[] | undefined, needed: string): boolean {
  if (!scopes) return true;
  const all = `${needed.slice(0, needed.lastIndexOf('.'))}.ALL`;
  return scopes.some((s) => s === needed || s === all);
}

/** Whether the caller's token carries `scope` (for checks that depend on the body, like trashing). */
export const mayAlso = (req: FastifyRequest, scope: string) => hasScope((req as Authed).scopes, scope);

/**
 * ⚠ `Authorization: Zoho-oauthtoken <token>` on the API and the download host alike; `Bearer`, a query-string
 * token or another org's token is 401 (crm-apis.md 1.3, 6.2). ⚠ A token without the route's scope is 401
 * INVALID_OAUTHSCOPE — documented for downloads (`ZohoFiles.files.READ`); applied to every route (ours, stricter).
 */
export function installAuth(
  app: FastifyInstance,
  opts: { verifyToken: VerifyToken; orgId: () => string; stats: { requests: number; unauthorized: number } },
): void {
  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith(`${API_BASE}/`) && !req.url.startsWith(`${DOWNLOAD_BASE}/`)) return;
    opts.stats.requests += 1;
    const token = /^Zoho-oauthtoken (\S+)$/.exec(req.headers.authorization ?? '')?.[1];
    const who = token ? opts.verifyToken(token) : null;
    if (!who || who.org !== opts.orgId()) {
      opts.stats.unauthorized += 1;
      return wdError(reply, 401, 'INVALID_OAUTHTOKEN');
    }
    (req as Authed).scopes = who.scopes;
    const scope = (req.routeOptions.config as { scope?: string }).scope;
    if (scope && !hasScope(who.scopes, scope)) {
      opts.stats.unauthorized += 1;
      return wdError(reply, 401, 'INVALID_OAUTHSCOPE');
    }
  });
}
