import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { acceptRawForms } from '../common/multipart.js';
import { registerRecordAdmin } from './crm-admin.js';
import { registerAttachments } from './crm-attachments.js';
import { batchStatus, zohoError, zohoErrorBody } from './crm-errors.js';
import { BATCH_LIMIT, dataOf, moduleOf, zohoBodies } from './crm-http.js';
import { registerMetadata } from './crm-meta.js';
import { registerReads } from './crm-reads.js';
import { type NoteStats, registerNotes } from './crm-notes.js';
import type { Module, ZohoCrmStore } from './crm-store.js';
import { deleteRecords, insertRecords, updateRecords, upsertRecords } from './crm-writes.js';
import type { ZohoAuthRegistry } from './zoho-auth.js';

export interface ZohoCrmLimits {
  /** Concurrent calls per app per org; more ⇒ 429 (crm-apis.md 2.6). */
  concurrency: number;
  /** API credits per rolling 24 h. */
  dailyCredits: number;
  /** Added to every call, so concurrency limits bite as they do against the real service. */
  latencyMs: number;
}

const BODY_LIMIT = 10 * 1024 * 1024;
type Params = { module: string; id: string };
const counters = () => ({
  requests: 0,
  rejected429: 0,
  creditsUsed: 0,
  maxInFlight: 0,
  writeCalls: 0,
  recordsWritten: 0,
  pageTokenCalls: 0,
});

/** Zoho CRM v8 under `/crm/v8`, with its auth, paging, envelope and limit quirks (crm-apis.md 2). */
export function buildZohoCrmSimulator(opts: {
  store: ZohoCrmStore;
  auth: ZohoAuthRegistry;
  limits: ZohoCrmLimits;
  faults?: FaultInjector;
}): FastifyInstance {
  const { store, auth, limits } = opts;
  const app = Fastify({ logger: false, bodyLimit: BODY_LIMIT });
  const faults = opts.faults ?? new FaultInjector();
  // writeCalls/recordsWritten count API writes (not admin edits), so tests can prove a sync wrote nothing.
  const stats = { ...counters(), inFlight: 0 };
  const notes: NoteStats = { noteCreates: 0, perParent: new Map() };
  let credits: number[] = [];
  acceptRawForms(app);
  zohoBodies(app, BODY_LIMIT);
  faults.install(app, zohoErrorBody);
  registerAdmin(app, faults, {
    stats: () => ({ ...stats, noteCreates: notes.noteCreates }),
    reset: () => {
      credits = [];
      Object.assign(stats, counters());
      Object.assign(notes, { noteCreates: 0, perParent: new Map() });
    },
  });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/crm/v8')) return;
    stats.requests += 1;
    const header = req.headers.authorization;
    if (!header) return zohoError(reply, 401, 'AUTHENTICATION_FAILURE', 'Authentication failed');
    // ⚠ The scheme is Zoho-oauthtoken; a Bearer header is rejected like a bad token (crm-apis.md 6.2).
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Zoho-oauthtoken' || !token || !auth.isValid(token))
      return zohoError(reply, 401, 'INVALID_TOKEN', 'invalid oauth token');
    const now = Date.now();
    credits = credits.filter((t) => now - t < 86_400_000);
    if (credits.length >= limits.dailyCredits) {
      stats.rejected429 += 1;
      return zohoError(reply, 429, 'TOO_MANY_REQUESTS', 'API credit limit of the day reached');
    }
    if (stats.inFlight >= limits.concurrency) {
      stats.rejected429 += 1;
      return zohoError(reply, 429, 'TOO_MANY_REQUESTS', 'concurrency limit exceeded');
    }
    credits.push(now);
    stats.creditsUsed += 1;
    // COQL is a read sent as POST.
    if (req.method !== 'GET' && !req.url.startsWith('/crm/v8/coql')) stats.writeCalls += 1;
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    (req as { countedInFlight?: boolean }).countedInFlight = true;
    if (limits.latencyMs > 0) await new Promise((r) => setTimeout(r, limits.latencyMs));
  });
  app.addHook('onResponse', async (req) => {
    if ((req as { countedInFlight?: boolean }).countedInFlight) stats.inFlight -= 1;
  });
  app.setNotFoundHandler((_req, reply) =>
    zohoError(reply, 404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'),
  );

  registerReads(app, store, () => {
    stats.pageTokenCalls += 1;
  });

  const write =
    (
      run: (m: Module, data: Record<string, unknown>[], req: FastifyRequest) => ReturnType<typeof insertRecords>,
      allOk: number,
    ) =>
    (req: FastifyRequest, reply: FastifyReply) => {
      const m = moduleOf(req, reply);
      const data = m && dataOf(req, reply);
      if (!m || !data) return;
      const items = run(m, data, req);
      stats.recordsWritten += items.filter((i) => i.status === 'success').length;
      return reply.code(batchStatus(items, allOk)).send({ data: items });
    };
  app.post(
    '/crm/v8/:module',
    write((m, data) => insertRecords(store, m, data), 201),
  );
  app.put(
    '/crm/v8/:module',
    write((m, data) => updateRecords(store, m, data), 200),
  );
  app.put(
    '/crm/v8/:module/:id',
    write((m, data, req) => updateRecords(store, m, data.slice(0, 1), (req.params as Params).id), 200),
  );
  app.post(
    '/crm/v8/:module/upsert',
    write((m, data, req) => {
      const check = (req.body as { duplicate_check_fields?: unknown }).duplicate_check_fields;
      return upsertRecords(store, m, data, Array.isArray(check) ? check.map(String) : undefined);
    }, 200),
  );
  app.delete('/crm/v8/:module', (req, reply) =>
    remove(req, reply, (req.query as { ids?: string }).ids?.split(',').filter(Boolean) ?? []),
  );
  app.delete('/crm/v8/:module/:id', (req, reply) => remove(req, reply, [(req.params as Params).id]));
  const remove = (req: FastifyRequest, reply: FastifyReply, ids: string[]) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    if (ids.length === 0)
      return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
        param_name: 'ids',
      });
    if (ids.length > BATCH_LIMIT)
      return zohoError(reply, 400, 'LIMIT_EXCEEDED', `at most ${BATCH_LIMIT} records per call`, { limit: BATCH_LIMIT });
    const items = deleteRecords(store, m, ids);
    stats.recordsWritten += items.filter((i) => i.status === 'success').length;
    return reply.code(batchStatus(items, 200)).send({ data: items });
  };

  registerNotes(app, store, {
    stats: notes,
    dataOf,
    written: (n) => {
      stats.recordsWritten += n;
    },
  });
  registerAttachments(app, store);
  registerMetadata(app, store);
  registerRecordAdmin(app, store);
  return app;
}
