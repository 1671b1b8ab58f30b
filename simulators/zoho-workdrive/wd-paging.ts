import type { WdNode } from './wd-store.js';

export const PAGE_DEFAULT = 50;
/** The docs leave the maximum open; Zoho's own n8n node asks for up to 200, so more is refused (ours, stricter). */
export const PAGE_MAX = 200;

type Query = Record<string, unknown>;
type Result<T> = { ok: T } | { error: string };

/**
 * ⚠ Offset paging through `page[limit]` and `page[offset]`, bracketed names sent raw or URL-encoded (the query
 * parser decodes names). No total and no next link: a page shorter than the limit is the last (crm-apis.md 6.10).
 */
export function pageOf(query: Query): Result<{ limit: number; offset: number }> {
  const limit = intParam(query, 'page[limit]', PAGE_DEFAULT);
  const offset = intParam(query, 'page[offset]', 0);
  if (limit === undefined || limit < 1 || limit > PAGE_MAX)
    return { error: `page[limit] must be a whole number from 1 to ${PAGE_MAX}` };
  if (offset === undefined) return { error: 'page[offset] must be a whole number from 0' };
  return { ok: { limit, offset } };
}

function intParam(query: Query, name: string, fallback: number): number | undefined {
  const v = query[name];
  if (v === undefined) return fallback;
  return typeof v === 'string' && /^\d{1,9}$/.test(v) ? Number(v) : undefined;
}

const SORTS: Record<string, (a: WdNode, b: WdNode) => number> = {
  name: (a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }),
  modified_time: (a, b) => a.modifiedAt - b.modifiedAt,
  created_time: (a, b) => a.createdAt - b.createdAt,
};

/** `sort=name|modified_time|created_time`, `-` for descending; default name (ours: the default is undocumented). */
export function sortOf(query: Query): Result<(a: WdNode, b: WdNode) => number> {
  const raw = query.sort ?? 'name';
  const key = typeof raw === 'string' ? raw.replace(/^-/, '') : '';
  const by = SORTS[key];
  if (!by) return { error: `sort must be one of ${Object.keys(SORTS).join(', ')} (with - for descending)` };
  const sign = (raw as string).startsWith('-') ? -1 : 1;
  // Ties broken by id, so offsets never skip or repeat an item between calls.
  return { ok: (a, b) => sign * by(a, b) || a.id.localeCompare(b.id) };
}

export function page<T>(items: T[], p: { limit: number; offset: number }): T[] {
  return items.slice(p.offset, p.offset + p.limit);
}
