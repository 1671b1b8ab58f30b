import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/docs(\/|$)/];
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer API keys on every route but health, readiness and the docs. Digests make the comparison constant-time. */
export function registerApiKeyAuth(
  app: FastifyInstance,
  apiKeys: string[],
  alsoAccept?: (req: FastifyRequest) => Promise<boolean>,
): void {
  const keys = apiKeys.map(digest);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC.some((p) => p.test(path))) return;
    const header = req.headers.authorization ?? '';
    // A webhook token (webhook-auth.ts) stands in for the key on the few paths a CRM calls, and only without one.
    if (!header && alsoAccept && (await alsoAccept(req))) return;
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const given = digest(token);
    let ok = false;
    for (const k of keys) ok = timingSafeEqual(k, given) || ok;
    if (!token || !ok) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: {
            code: 'UNAUTHORIZED',
            message: token ? 'API key not recognised' : 'missing bearer API key (Authorization: Bearer <key>)',
            details: {},
          },
        });
    }
  });
}
