import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const PUBLIC = [/^\/health$/, /^\/ready$/, /^\/docs(\/|$)/];
const digest = (s: string) => createHash('sha256').update(s).digest();

/** Bearer API keys on every route but health, readiness and the docs. Digests make the comparison constant-time. */
export function registerApiKeyAuth(app: FastifyInstance, apiKeys: string[]): void {
  const keys = apiKeys.map(digest);
  app.addHook('onRequest', async (req, reply) => {
    const path = req.url.split('?')[0]!;
    if (PUBLIC.some((p) => p.test(path))) return;
    const header = req.headers.authorization ?? '';
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
