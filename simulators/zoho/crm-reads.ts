import type { FastifyInstance } from 'fastify';
import { API_USER } from './crm-catalogue.js';
import { registerCoql } from './crm-coql.js';
import { CriteriaError, matches, parseCriteria } from './crm-criteria.js';
import { zohoError } from './crm-errors.js';
import { moduleOf } from './crm-http.js';
import { listRecords, modifiedSince } from './crm-list.js';
import type { Module, ZohoCrmStore } from './crm-store.js';

type Params = { module: string; id: string };

/** Record reads: list, deleted records, COQL, search and one record (crm-apis.md 2.1, 2.2). */
export function registerReads(app: FastifyInstance, store: ZohoCrmStore, onPageToken: () => void): void {
  const rowsOf = (m: Module) => [...store.records.get(m)!.values()];

  app.get('/crm/v8/:module', (req, reply) => {
    const m = moduleOf(req, reply);
    if ((req.query as { page_token?: string }).page_token) onPageToken();
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
    const who = { name: API_USER.name, id: API_USER.id };
    return {
      data: slice.map((d) => ({
        id: d.id,
        display_name: d.display_name,
        type: d.type,
        deleted_by: who,
        created_by: who,
        deleted_time: store.formatTime(d.deletedAt),
      })),
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
      try {
        const expr = parseCriteria(q.criteria);
        test = (r) => matches(expr, r);
      } catch (err) {
        return zohoError(reply, 400, 'INVALID_QUERY', err instanceof CriteriaError ? err.message : 'invalid criteria', {
          param_name: 'criteria',
        });
      }
    } else if (q.email) test = (r) => String(r.Email ?? '').toLowerCase() === q.email!.toLowerCase();
    else if (q.phone) test = (r) => r.Phone === q.phone || r.Mobile === q.phone;
    else if (q.word)
      test = (r) =>
        Object.values(r).some((v) => typeof v === 'string' && v.toLowerCase().includes(q.word!.toLowerCase()));
    else
      return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
        param_name: 'criteria',
      });
    const perPage = Math.min(Number(q.per_page ?? 200), 200);
    const page = Number(q.page ?? 1);
    const hits = rowsOf(m)
      .filter((r) => test(store.render(r)))
      .slice(0, 2_000);
    const slice = hits.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const fields = q.fields?.split(',');
    return {
      data: slice.map((r) => store.render(r, fields)),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < hits.length },
    };
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
}
