import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Fault injection shared by every simulator: rules match requests by method and path prefix and answer with an
 * error status, add latency, or drop the connection. Set through config or `POST /__admin/faults`.
 */
export const FaultRuleSchema = z.strictObject({
  /** `drop-after`: the request is processed (and committed), then the connection is cut before the answer. */
  kind: z.enum(['status', 'latency', 'drop', 'drop-after']),
  method: z.string().optional(),
  pathPrefix: z.string().default('/'),
  status: z.number().int().min(200).max(599).default(503),
  retryAfterSec: z.number().min(0).optional(),
  latencyMs: z.number().int().min(0).default(0),
  /** How many matching requests it applies to; omitted = until cleared. */
  times: z.number().int().positive().optional(),
  /** Share of matching requests it applies to (e.g. 0.1 for "10 % of calls fail"). */
  probability: z.number().min(0).max(1).default(1),
  body: z.unknown().optional(),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;
type ActiveRule = FaultRule & { remaining?: number; hits: number };

/** The provider-shaped error body for an injected status (HubSpot and Zoho word errors differently). */
export type ErrorBodyFor = (status: number) => unknown;

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void { this.rules.push({ ...rule, remaining: rule.times, hits: 0 }); }
  clear(): void { this.rules = []; }
  list(): ActiveRule[] { return this.rules; }

  /** Installs the hook that applies rules before any route runs. */
  install(app: FastifyInstance, errorBody: ErrorBodyFor): void {
    this.installDropAfter(app);
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url.startsWith('/__admin')) return;
      for (const rule of this.take(req.method, req.url)) {
        if (rule.kind === 'latency') await new Promise((r) => setTimeout(r, rule.latencyMs));
        if (rule.kind === 'drop') {
          req.raw.socket.destroy();
          return reply.hijack();
        }
        if (rule.kind === 'drop-after') (req as { dropAfter?: boolean }).dropAfter = true;
        if (rule.kind === 'status') {
          if (rule.retryAfterSec !== undefined) reply.header('retry-after', String(rule.retryAfterSec));
          return reply.code(rule.status).send(rule.body ?? errorBody(rule.status));
        }
      }
    });
  }

  /** Cuts the connection of a `drop-after` request once its handler has run: the client never sees the answer. */
  installDropAfter(app: FastifyInstance): void {
    app.addHook('onSend', async (req, reply, payload) => {
      if (!(req as { dropAfter?: boolean }).dropAfter) return payload;
      req.raw.socket.destroy();
      reply.hijack();
      return payload;
    });
  }

  private take(method: string, url: string): ActiveRule[] {
    const hits = this.rules.filter((r) => (!r.method || r.method.toUpperCase() === method) && url.startsWith(r.pathPrefix)
      && (r.probability >= 1 || Math.random() < r.probability));
    for (const r of hits) {
      r.hits += 1;
      if (r.remaining !== undefined) r.remaining -= 1;
    }
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return hits;
  }
}

/** Admin endpoints every simulator exposes for tests: faults, stats and reset. */
export function registerAdmin(app: FastifyInstance, faults: FaultInjector, hooks: { stats: () => unknown; reset: () => void }): void {
  app.get('/__admin/faults', async () => ({ rules: faults.list() }));
  app.post('/__admin/faults', async (req, reply) => {
    const parsed = FaultRuleSchema.safeParse(req.body);
    if (!parsed.success) return reply.code(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    faults.add(parsed.data);
    return reply.code(201).send({ rules: faults.list() });
  });
  app.delete('/__admin/faults', async (_req, reply) => { faults.clear(); return reply.code(204).send(); });
  app.get('/__admin/stats', async () => hooks.stats());
  app.post('/__admin/reset', async (_req, reply) => { faults.clear(); hooks.reset(); return reply.code(204).send(); });
}
