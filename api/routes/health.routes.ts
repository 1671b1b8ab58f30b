import type { FastifyBaseLogger } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../app.js';

/** Public, so it names only what is down; the driver's message (host, port, user) goes to the log. */
const Check = z.object({ ok: z.boolean(), error: z.enum(['unreachable', 'timed out']).optional() });
const Ready = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.object({ database: Check, temporal: Check }),
});

export const healthRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/health',
      { schema: { tags: ['health'], summary: 'Liveness', response: { 200: z.object({ status: z.literal('ok') }) } } },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/ready',
      {
        schema: {
          tags: ['health'],
          summary: 'Readiness: database and Temporal reachable',
          response: { 200: Ready, 503: Ready },
        },
      },
      async (req, reply) => {
        const [database, temporal] = await Promise.all([
          probe('database', req.log, () => deps.orm.em.fork().getConnection().execute('select 1')),
          probe('temporal', req.log, () => deps.temporal.client.workflowService.getSystemInfo({})),
        ]);
        const ready = database.ok && temporal.ok;
        return reply
          .code(ready ? 200 : 503)
          .send({ status: ready ? 'ready' : 'not_ready', checks: { database, temporal } });
      },
    );
  };

class ProbeTimeout extends Error {}

async function probe(name: string, log: FastifyBaseLogger, fn: () => Promise<unknown>): Promise<z.infer<typeof Check>> {
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => setTimeout(() => reject(new ProbeTimeout('timed out after 3 s')), 3000).unref()),
    ]);
    return { ok: true };
  } catch (err) {
    log.warn({ err, dependency: name }, `readiness: ${name} is down`);
    return { ok: false, error: err instanceof ProbeTimeout ? 'timed out' : 'unreachable' };
  }
}
