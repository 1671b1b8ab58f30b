import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';

/**
 * Fault injection shared by every simulator: rules match requests by method and path prefix and answer with an
 * error status, add latency, drop the connection, or spoil a successful body (downloads). Set through config or
 * `POST /__admin/faults`.
 */
export const FaultRuleSchema = z.strictObject({
  /**
   * `drop-after`: the request is processed (and committed), then the connection is cut before the answer.
   * `latency-after`: the request is processed, then its answer waits `latencyMs` (a caller can die meanwhile).
   * Body faults spoil a 2xx answer after its handler ran: `truncate` sends only the first `bytes`, `empty-body`
   * nothing, `pad` more than the resource holds, `corrupt` the same length with one byte flipped.
   */
  kind: z.enum([
    'status',
    'latency',
    'latency-after',
    'drop',
    'drop-after',
    'truncate',
    'empty-body',
    'pad',
    'corrupt',
  ]),
  method: z.string().optional(),
  pathPrefix: z.string().default('/'),
  status: z.number().int().min(200).max(599).default(503),
  retryAfterSec: z.number().min(0).optional(),
  latencyMs: z.number().int().min(0).default(0),
  /** `truncate`: bytes sent (default half the body); `pad`: bytes appended (default 1024). */
  bytes: z.number().int().min(0).optional(),
  /**
   * `truncate` only. `actual`: a well-formed shorter answer (Content-Length says what is sent), so only a check
   * against the declared size notices. `full`: Content-Length announces the whole body and the connection is cut.
   */
  lengthHeader: z.enum(['actual', 'full']).default('actual'),
  /** How many matching requests it applies to; omitted = until cleared. */
  times: z.number().int().positive().optional(),
  /** Share of matching requests it applies to (e.g. 0.1 for "10 % of calls fail"). */
  probability: z.number().min(0).max(1).default(1),
  body: z.unknown().optional(),
});
export type FaultRule = z.infer<typeof FaultRuleSchema>;
type ActiveRule = FaultRule & { remaining?: number; hits: number };
type BodyFault = Pick<FaultRule, 'kind' | 'bytes' | 'lengthHeader'>;
type Marked = FastifyRequest & { dropAfter?: boolean; holdAnswerMs?: number; bodyFault?: BodyFault };

const BODY_FAULTS = new Set<FaultRule['kind']>(['truncate', 'empty-body', 'pad', 'corrupt']);

/** The provider-shaped error body for an injected status (HubSpot and Zoho word errors differently). */
export type ErrorBodyFor = (status: number) => unknown;

export class FaultInjector {
  private rules: ActiveRule[] = [];

  add(rule: FaultRule): void {
    this.rules.push({ ...rule, remaining: rule.times, hits: 0 });
  }
  clear(): void {
    this.rules = [];
  }
  list(): ActiveRule[] {
    return this.rules;
  }

  /** Installs the hooks that apply rules before any route runs, and to the answer once it is ready. */
  install(app: FastifyInstance, errorBody: ErrorBodyFor): void {
    this.installOnSend(app);
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.url.startsWith('/__admin')) return;
      for (const rule of this.take(req.method, req.url)) {
        if (rule.kind === 'latency') await new Promise((r) => setTimeout(r, rule.latencyMs));
        if (rule.kind === 'drop') {
          req.raw.socket.destroy();
          return reply.hijack();
        }
        if (rule.kind === 'drop-after') (req as Marked).dropAfter = true;
        if (rule.kind === 'latency-after') (req as Marked).holdAnswerMs = rule.latencyMs;
        if (BODY_FAULTS.has(rule.kind)) (req as Marked).bodyFault = rule;
        if (rule.kind === 'status') {
          if (rule.retryAfterSec !== undefined) reply.header('retry-after', String(rule.retryAfterSec));
          return reply.code(rule.status).send(rule.body ?? errorBody(rule.status));
        }
      }
    });
  }

  /** Cuts the connection of a `drop-after` request once its handler has run; spoils the body of a body fault. */
  installOnSend(app: FastifyInstance): void {
    app.addHook('onSend', async (req, reply, payload) => {
      const marked = req as Marked;
      if (marked.holdAnswerMs) await new Promise((r) => setTimeout(r, marked.holdAnswerMs));
      if (marked.dropAfter) {
        req.raw.socket.destroy();
        reply.hijack();
        return payload;
      }
      if (!marked.bodyFault || reply.statusCode >= 300 || (typeof payload !== 'string' && !Buffer.isBuffer(payload)))
        return payload;
      const body = Buffer.from(payload);
      const fault = marked.bodyFault;
      if (fault.kind === 'truncate' && fault.lengthHeader === 'full') {
        // Headers promise the whole body; once part of it is handed over, the socket is flushed and closed.
        reply.header('content-length', String(body.length));
        let written = false;
        return new Readable({
          highWaterMark: 0,
          read() {
            const socket = req.raw.socket;
            if (!written) this.push(body.subarray(0, fault.bytes ?? body.length >> 1));
            else if (!socket.writableEnded) socket.end(() => socket.destroy());
            written = true;
          },
        });
      }
      reply.removeHeader('content-length');
      return spoil(body, fault);
    });
  }

  private take(method: string, url: string): ActiveRule[] {
    const hits = this.rules.filter(
      (r) =>
        (!r.method || r.method.toUpperCase() === method) &&
        url.startsWith(r.pathPrefix) &&
        (r.probability >= 1 || Math.random() < r.probability),
    );
    for (const r of hits) {
      r.hits += 1;
      if (r.remaining !== undefined) r.remaining -= 1;
    }
    this.rules = this.rules.filter((r) => r.remaining === undefined || r.remaining > 0);
    return hits;
  }
}

function spoil(body: Buffer, fault: BodyFault): Buffer {
  if (fault.kind === 'empty-body') return Buffer.alloc(0);
  if (fault.kind === 'truncate') return body.subarray(0, fault.bytes ?? body.length >> 1);
  if (fault.kind === 'pad') return Buffer.concat([body, Buffer.alloc(fault.bytes ?? 1024, 0x20)]);
  const out = Buffer.from(body);
  const at = out.length >> 1;
  if (out.length) out[at] = out[at]! ^ 0xff;
  return out;
}

/** Admin endpoints every simulator exposes for tests: faults, stats and reset. */
export function registerAdmin(
  app: FastifyInstance,
  faults: FaultInjector,
  hooks: { stats: () => unknown; reset: () => void },
): void {
  app.get('/__admin/faults', async () => ({ rules: faults.list() }));
  app.post('/__admin/faults', async (req, reply) => {
    const parsed = FaultRuleSchema.safeParse(req.body);
    if (!parsed.success)
      return reply
        .code(400)
        .send({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    faults.add(parsed.data);
    return reply.code(201).send({ rules: faults.list() });
  });
  app.delete('/__admin/faults', async (_req, reply) => {
    faults.clear();
    return reply.code(204).send();
  });
  app.get('/__admin/stats', async () => hooks.stats());
  app.post('/__admin/reset', async (_req, reply) => {
    faults.clear();
    hooks.reset();
    return reply.code(204).send();
  });
}
