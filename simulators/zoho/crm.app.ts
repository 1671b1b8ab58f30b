import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { FILE_TYPES, fileBytes } from '../common/files.js';
import { acceptRawForms, readForm } from '../common/multipart.js';
import { CriteriaError, matches, parseCriteria } from './crm-criteria.js';
import { batchStatus, zohoError, zohoErrorBody } from './crm-errors.js';
import { listRecords, modifiedSince } from './crm-list.js';
import { MODULES, type Module, type ZohoCrmStore } from './crm-store.js';
import { deleteRecords, insertRecords, updateRecords, upsertRecords } from './crm-writes.js';
import type { ZohoAuthRegistry } from './zoho-auth.js';
import { registerRecordAdmin } from './crm-admin.js';
import { registerCoql } from './crm-coql.js';

export interface ZohoCrmLimits {
  /** Concurrent calls per app per org; more ⇒ 429 (crm-apis.md 2.6). */
  concurrency: number;
  /** API credits per rolling 24 h. */
  dailyCredits: number;
  /** Added to every call, so concurrency limits bite as they do against the real service. */
  latencyMs: number;
}

const BATCH_LIMIT = 100;
type Params = { module: string; id: string; attId: string };

/** Zoho CRM v8 under `/crm/v8`, with its auth, paging, envelope and limit quirks (crm-apis.md 2). */
export function buildZohoCrmSimulator(opts: { store: ZohoCrmStore; auth: ZohoAuthRegistry; limits: ZohoCrmLimits; faults?: FaultInjector }): FastifyInstance {
  const { store, auth, limits } = opts;
  const app = Fastify({ logger: false, bodyLimit: 10 * 1024 * 1024 });
  const faults = opts.faults ?? new FaultInjector();
  // writeCalls/recordsWritten count API writes (not admin edits), so tests can prove a sync wrote nothing.
  const stats = { requests: 0, rejected429: 0, creditsUsed: 0, inFlight: 0, maxInFlight: 0, writeCalls: 0, recordsWritten: 0, pageTokenCalls: 0 };
  let credits: number[] = [];
  acceptRawForms(app);
  faults.install(app, zohoErrorBody);
  registerAdmin(app, faults, { stats: () => stats, reset: () => { credits = []; Object.assign(stats, { requests: 0, rejected429: 0, creditsUsed: 0, maxInFlight: 0, writeCalls: 0, recordsWritten: 0, pageTokenCalls: 0 }); } });

  app.addHook('onRequest', async (req, reply) => {
    if (!req.url.startsWith('/crm/v8')) return;
    stats.requests += 1;
    const header = req.headers.authorization;
    if (!header) return zohoError(reply, 401, 'AUTHENTICATION_FAILURE', 'Authentication failed');
    // ⚠ The scheme is Zoho-oauthtoken; a Bearer header is rejected like a bad token (crm-apis.md 6.2).
    const [scheme, token] = header.split(' ');
    if (scheme !== 'Zoho-oauthtoken' || !token || !auth.isValid(token)) return zohoError(reply, 401, 'INVALID_TOKEN', 'invalid oauth token');
    const now = Date.now();
    credits = credits.filter((t) => now - t < 86_400_000);
    if (credits.length >= limits.dailyCredits) { stats.rejected429 += 1; return zohoError(reply, 429, 'TOO_MANY_REQUESTS', 'API credit limit of the day reached'); }
    if (stats.inFlight >= limits.concurrency) { stats.rejected429 += 1; return zohoError(reply, 429, 'TOO_MANY_REQUESTS', 'concurrency limit exceeded'); }
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
  app.setNotFoundHandler((_req, reply) => zohoError(reply, 404, 'INVALID_URL_PATTERN', 'Please check if the URL trying to access is a correct one'));

  const moduleOf = (req: FastifyRequest, reply: FastifyReply): Module | undefined => {
    const name = (req.params as Params).module;
    if ((MODULES as readonly string[]).includes(name)) return name as Module;
    void zohoError(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid', { api_name: name });
    return undefined;
  };
  const dataOf = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown>[] | undefined => {
    const data = (req.body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data) || data.length === 0) { void zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'data is missing', { param_name: 'data' }); return undefined; }
    if (data.length > BATCH_LIMIT) { void zohoError(reply, 400, 'LIMIT_EXCEEDED', `at most ${BATCH_LIMIT} records per call`, { limit: BATCH_LIMIT }); return undefined; }
    return data as Record<string, unknown>[];
  };
  const rowsOf = (m: Module) => [...store.records.get(m)!.values()];

  app.get('/crm/v8/:module', (req, reply) => {
    const m = moduleOf(req, reply);
    if ((req.query as { page_token?: string }).page_token) stats.pageTokenCalls += 1;
    return m && listRecords(store, m, req, reply);
  });

  app.get('/crm/v8/:module/deleted', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const q = req.query as { type?: string; page?: string; per_page?: string };
    const type = q.type ?? 'all';
    const since = modifiedSince(req);
    let rows = store.deleted.get(m)!.filter((d) => type === 'all' || d.type === type);
    if (since !== undefined) rows = rows.filter((d) => Math.floor(d.deletedAt / 1000) * 1000 > since);
    if (since !== undefined && rows.length === 0) return reply.code(304).send();
    const perPage = Math.min(Number(q.per_page ?? 200), 200);
    const page = Number(q.page ?? 1);
    const slice = rows.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const who = { name: 'Sim Admin', id: '5725767000000411001' };
    return {
      data: slice.map((d) => ({ id: d.id, display_name: d.display_name, type: d.type, deleted_by: who, created_by: who, deleted_time: store.formatTime(d.deletedAt) })),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < rows.length },
    };
  });

  registerCoql(app, store);

  app.get('/crm/v8/:module/search', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const q = req.query as Record<string, string | undefined>;
    let test: (r: Record<string, unknown>) => boolean;
    if (q.criteria) {
      try { const expr = parseCriteria(q.criteria); test = (r) => matches(expr, r); } catch (err) {
        return zohoError(reply, 400, 'INVALID_QUERY', err instanceof CriteriaError ? err.message : 'invalid criteria', { param_name: 'criteria' });
      }
    } else if (q.email) test = (r) => String(r.Email ?? '').toLowerCase() === q.email!.toLowerCase();
    else if (q.phone) test = (r) => r.Phone === q.phone || r.Mobile === q.phone;
    else if (q.word) test = (r) => Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(q.word!.toLowerCase()));
    else return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'criteria' });
    const perPage = Math.min(Number(q.per_page ?? 200), 200);
    const page = Number(q.page ?? 1);
    const hits = rowsOf(m).filter((r) => test(store.render(r))).slice(0, 2_000);
    const slice = hits.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const fields = q.fields?.split(',');
    return { data: slice.map((r) => store.render(r, fields)), info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < hits.length } };
  });

  app.get('/crm/v8/:module/:id', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const rec = store.records.get(m)!.get((req.params as Params).id);
    if (!rec) return reply.code(204).send();
    const since = modifiedSince(req);
    if (since !== undefined && Math.floor(rec._modified / 1000) * 1000 <= since) return reply.code(304).send();
    const fields = (req.query as { fields?: string }).fields?.split(',');
    return { data: [store.render(rec, fields)] };
  });

  const write = (run: (m: Module, data: Record<string, unknown>[], req: FastifyRequest) => ReturnType<typeof insertRecords>, allOk: number) =>
    (req: FastifyRequest, reply: FastifyReply) => {
      const m = moduleOf(req, reply);
      const data = m && dataOf(req, reply);
      if (!m || !data) return;
      const items = run(m, data, req);
      stats.recordsWritten += items.filter((i) => i.status === 'success').length;
      return reply.code(batchStatus(items, allOk)).send({ data: items });
    };
  app.post('/crm/v8/:module', write((m, data) => insertRecords(store, m, data), 201));
  app.put('/crm/v8/:module', write((m, data) => updateRecords(store, m, data), 200));
  app.put('/crm/v8/:module/:id', write((m, data, req) => updateRecords(store, m, data.slice(0, 1), (req.params as Params).id), 200));
  app.post('/crm/v8/:module/upsert', write((m, data, req) => {
    const check = (req.body as { duplicate_check_fields?: unknown }).duplicate_check_fields;
    return upsertRecords(store, m, data, Array.isArray(check) ? check.map(String) : undefined);
  }, 200));
  app.delete('/crm/v8/:module', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const ids = (req.query as { ids?: string }).ids?.split(',').filter(Boolean) ?? [];
    if (ids.length === 0) return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', { param_name: 'ids' });
    if (ids.length > BATCH_LIMIT) return zohoError(reply, 400, 'LIMIT_EXCEEDED', `at most ${BATCH_LIMIT} records per call`, { limit: BATCH_LIMIT });
    const items = deleteRecords(store, m, ids);
    stats.recordsWritten += items.filter((i) => i.status === 'success').length;
    return reply.code(batchStatus(items, 200)).send({ data: items });
  });

  app.post('/crm/v8/:module/:id/Notes', write((m, data, req) => {
    const parentId = (req.params as Params).id;
    if (!store.records.get(m)!.has(parentId)) return data.map(() => ({ code: 'INVALID_DATA', details: { api_name: 'Parent_Id' }, message: 'the related id given seems to be invalid', status: 'error' as const }));
    return insertRecords(store, 'Notes', data.map((n) => ({ ...n, Parent_Id: { module: { api_name: m }, id: parentId } })));
  }, 201));
  app.get('/crm/v8/:module/:id/Notes', (req, reply) => {
    const { module, id } = req.params as Params;
    const notes = rowsOf('Notes').filter((n) => (n.Parent_Id as { id?: string } | undefined)?.id === id && (n.Parent_Id as { module?: { api_name?: string } }).module?.api_name === module);
    if (notes.length === 0) return reply.code(204).send();
    return { data: notes.map((n) => store.render(n)), info: { per_page: 200, count: notes.length, page: 1, more_records: false } };
  });

  app.get('/crm/v8/:module/:id/Attachments', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const { id } = req.params as Params;
    const q = req.query as { page?: string; per_page?: string };
    const perPage = Math.min(Number(q.per_page ?? 200), 200);
    const page = Number(q.page ?? 1);
    const all = store.attachmentsOf(m, id).sort((a, b) => b.createdAt - a.createdAt);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const parent = store.records.get(m)!.get(id);
    return {
      data: slice.map((a) => ({
        id: a.id, File_Name: a.fileName, Size: String(a.size), $file_id: `sim_${a.id}`, $type: 'Attachment', $link_url: null, $se_module: m,
        Parent_Id: { name: parent ? String(parent.Deal_Name ?? parent.Last_Name ?? parent.Account_Name ?? '') : null, id },
        Owner: { name: 'Sim Admin', id: '5725767000000411001', email: 'admin@sim.example' },
        Created_Time: store.formatTime(a.createdAt), Modified_Time: store.formatTime(a.modifiedAt),
      })),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < all.length },
    };
  });

  app.get('/crm/v8/:module/:id/Attachments/:attId', (req, reply) => {
    const { module, id, attId } = req.params as Params;
    const a = store.attachments.get(attId);
    if (!a || a.parentModule !== module || a.parentId !== id) return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id: attId });
    const bytes = a.content ?? fileBytes(a.contentKey, a.ext === 'bin' ? 'txt' : a.ext, a.size);
    const mime = a.ext === 'bin' ? 'application/octet-stream' : FILE_TYPES[a.ext].mime;
    return reply.header('content-type', mime).header('content-disposition', `attachment; filename="${encodeURIComponent(a.fileName)}"`).send(bytes);
  });

  app.delete('/crm/v8/:module/:id/Attachments/:attId', (req, reply) => {
    const { module, id, attId } = req.params as Params;
    const a = store.attachments.get(attId);
    if (!a || a.parentModule !== module || a.parentId !== id) return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id: attId });
    store.attachments.delete(attId);
    store.touch(module as Module, id);
    return { data: [{ code: 'SUCCESS', details: { id: attId }, message: 'record deleted', status: 'success' }] };
  });

  registerRecordAdmin(app, store);

  // Test-only (not Zoho API): rename an attachment.
  app.post('/__admin/attachments/:attId', (req, reply) => {
    const a = store.attachments.get((req.params as Params).attId);
    if (!a) return reply.code(404).send({ error: 'no such attachment' });
    const name = (req.body as { fileName?: string } | undefined)?.fileName;
    if (name) a.fileName = name;
    a.modifiedAt = store.now();
    store.touch(a.parentModule as Module, a.parentId);
    return { id: a.id, fileName: a.fileName };
  });

  app.post('/crm/v8/:module/:id/Attachments', async (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const { id } = req.params as Params;
    if (!store.records.get(m)!.has(id)) return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id });
    const form = await readForm(req.body, req.headers['content-type']);
    const file = form?.get('file');
    if (!file || typeof file === 'string') return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'file is missing', { param_name: 'file' });
    const content = Buffer.from(await file.arrayBuffer());
    const ext = (file.name.split('.').pop() ?? '').toLowerCase();
    const attId = store.nextId();
    const now = store.now();
    store.attachments.set(attId, {
      id: attId, parentModule: m, parentId: id, fileName: file.name, ext: ext in FILE_TYPES ? ext as keyof typeof FILE_TYPES : 'bin',
      size: content.length, createdAt: now, modifiedAt: now, content, contentKey: attId,
    });
    store.touch(m, id);
    return {
      data: [{ code: 'SUCCESS', details: { id: attId, Created_Time: store.formatTime(now), Modified_Time: store.formatTime(now) }, message: 'attachment uploaded', status: 'success' }],
    };
  });
  return app;
}
