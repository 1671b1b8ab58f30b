import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app.js';

const Check = z.object({ ok: z.boolean(), error: z.string().optional() });
const Ready = z.object({ status: z.enum(['ready', 'not_ready']), checks: z.object({ database: Check, temporal: Check }) });

export const healthRoutes = (deps: AppDeps): FastifyPluginAsyncZod => async (app) => {
  app.get('/health', { schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } } },
    async () => ({ status: 'ok' as const }));

  app.get('/ready', { schema: { tags: ['health'], summary: 'Readiness: database and Temporal reachable', response: { 200: Ready, 503: Ready } } },
    async (_req, reply) => {
      const [database, temporal] = await Promise.all([
        probe(() => deps.orm.em.fork().getConnection().execute('select 1')),
        probe(() => deps.temporal.client.workflowService.getSystemInfo({})),
      ]);
      const ready = database.ok && temporal.ok;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks: { database, temporal } });
    });
};

async function probe(fn: () => Promise<unknown>): Promise<{ ok: boolean; error?: string }> {
  try {
    await Promise.race([fn(), new Promise((_, reject) => setTimeout(() => reject(new Error('timed out after 3 s')), 3000).unref())]);
    return { ok: true };
  } catch (err) {
    return { ok: false, error: (err as Error).message.split('\n')[0] };
  }
}
