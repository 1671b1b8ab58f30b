import type { FastifyReply, FastifyRequest } from 'fastify';
import { zohoError } from './crm-errors.js';
import { type Module, SORTABLE_FIELDS, type ZohoCrmStore, type ZohoRec } from './crm-store.js';

type Row = ZohoRec & { _created: number; _modified: number };
interface Cursor {
  o: number;
  s: string;
  d: string;
  m: number | null;
  ids: string | null;
  exp: number;
}

const PAGE_REACH = 2_000;
const TOKEN_REACH = 100_000;
/** Parses `If-Modified-Since`; undefined when absent, NaN when malformed. */
export function modifiedSince(req: FastifyRequest): number | undefined {
  const raw = req.headers['if-modified-since'];
  return typeof raw === 'string' ? Date.parse(raw) : undefined;
}

/**
 * `GET /{module}`: mandatory `fields`, `per_page` ≤ 200, `page` only within the first 2,000 records and
 * `page_token` beyond, `If-Modified-Since` → 304, no rows → 204 (crm-apis.md 2.1).
 */
export function listRecords(store: ZohoCrmStore, module: Module, req: FastifyRequest, reply: FastifyReply) {
  const q = req.query as Record<string, string | undefined>;
  if (!q.fields)
    return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing', {
      param_name: 'fields',
    });
  const fields = q.fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  if (fields.length > 50)
    return zohoError(reply, 400, 'LIMIT_EXCEEDED', 'fields limit exceeded', { param_name: 'fields', limit: 50 });
  const perPage = q.per_page === undefined ? 200 : Number(q.per_page);
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200)
    return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', { param_name: 'per_page', maximum_length: 200 });
  if (q.page !== undefined && q.page_token !== undefined)
    return zohoError(reply, 400, 'INVALID_REQUEST', 'page and page_token cannot be used together', {
      param_name: 'page_token',
    });

  let cursor: Cursor | undefined;
  if (q.page_token !== undefined) {
    cursor = decodeCursor(q.page_token);
    if (!cursor || cursor.exp < store.now())
      return zohoError(reply, 400, 'INVALID_DATA', 'invalid or expired page_token', { param_name: 'page_token' });
  }
  const sortBy = cursor?.s ?? q.sort_by ?? 'id';
  const order = cursor?.d ?? q.sort_order ?? 'desc';
  if (!SORTABLE_FIELDS.includes(sortBy))
    return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', {
      param_name: 'sort_by',
      supported_values: SORTABLE_FIELDS,
    });
  if (order !== 'asc' && order !== 'desc')
    return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', { param_name: 'sort_order' });
  const since = cursor ? (cursor.m ?? undefined) : modifiedSince(req);
  if (since !== undefined && Number.isNaN(since))
    return zohoError(reply, 400, 'INVALID_DATA', 'invalid If-Modified-Since', { header_name: 'If-Modified-Since' });
  const ids = cursor?.ids ?? q.ids ?? null;

  let selected: Row[] = store.sorted(module, sortBy);
  if (ids) {
    const set = new Set(ids.split(','));
    selected = selected.filter((r) => set.has(r.id));
  }
  // Zoho times have whole seconds: a record counts as modified when its second is after the given instant.
  const modifiedAfter = (r: Row) => Math.floor(r._modified / 1000) * 1000 > since!;
  if (since !== undefined)
    selected =
      sortBy === 'Modified_Time' ? selected.slice(firstIndex(selected, modifiedAfter)) : selected.filter(modifiedAfter);
  if (since !== undefined && selected.length === 0) return reply.code(304).send();
  if (order === 'desc') selected = [...selected].reverse();

  const page = cursor ? undefined : Number(q.page ?? 1);
  if (page !== undefined && (!Number.isInteger(page) || page < 1))
    return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', { param_name: 'page' });
  const offset = cursor ? cursor.o : (page! - 1) * perPage;
  if (!cursor && offset + perPage > PAGE_REACH) {
    return zohoError(
      reply,
      400,
      'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
      `cannot fetch more than ${PAGE_REACH} records. Use page_token to fetch more records`,
      { limit: PAGE_REACH },
    );
  }
  if (offset >= TOKEN_REACH)
    return zohoError(reply, 400, 'LIMIT_EXCEEDED', `cannot fetch more than ${TOKEN_REACH} records`, {
      limit: TOKEN_REACH,
    });
  const slice = selected.slice(offset, offset + perPage);
  if (slice.length === 0) return reply.code(204).send();
  const more = offset + perPage < Math.min(selected.length, TOKEN_REACH);
  const exp = store.now() + 86_400_000;
  return {
    data: slice.map((r) => store.render(r, fields)),
    info: {
      per_page: perPage,
      count: slice.length,
      page: page ?? Math.floor(offset / perPage) + 1,
      more_records: more,
      sort_by: sortBy,
      sort_order: order,
      next_page_token: more
        ? encodeCursor({ o: offset + perPage, s: sortBy, d: order, m: since ?? null, ids, exp })
        : null,
      previous_page_token: null,
      page_token_expiry: more ? store.formatTime(exp) : null,
    },
  };
}

/** Binary search in rows sorted by Modified_Time: the first one the predicate (monotone in it) accepts. */
function firstIndex(rows: Row[], accepts: (r: Row) => boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (accepts(rows[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeCursor(token: string): Cursor | undefined {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    return typeof c.o === 'number' && typeof c.s === 'string' ? c : undefined;
  } catch {
    return undefined;
  }
}
