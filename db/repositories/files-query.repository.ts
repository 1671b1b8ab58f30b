import type { EntityManager } from '@mikro-orm/postgresql';
import { DateTime, hasNul, isId } from '../../domain/input-rules.js';
import { InvalidCursorError } from './id-cursor.js';

export const FILE_SORTS = [
  'name',
  '-name',
  'size',
  '-size',
  'createdAt',
  '-createdAt',
  'modifiedAt',
  '-modifiedAt',
  'id',
  '-id',
] as const;
export type FileSort = (typeof FILE_SORTS)[number];

export interface FileFilter {
  connectionId?: string;
  provider?: string;
  dealId?: string;
  q?: string;
  extension?: string;
  mimeType?: string;
  minSize?: number;
  maxSize?: number;
  createdFrom?: Date;
  createdTo?: Date;
  modifiedFrom?: Date;
  modifiedTo?: Date;
  duplicatesOnly?: boolean;
  includeDeleted?: boolean;
}

export interface FileRow {
  id: number;
  connection_id: string;
  provider: string;
  external_file_id: string;
  deal_external_id: string;
  name: string;
  extension: string | null;
  mime_type: string | null;
  size: number | null;
  crm_created_at: Date | null;
  crm_modified_at: Date | null;
  source_url: string | null;
  content_sha256: string | null;
  duplicate_of_id: number | null;
  deleted_at: Date | null;
  first_seen_at: Date;
  updated_at: Date;
}

/** Sort keys; nullable columns sort through a sentinel so keyset pagination stays total. */
const SORT_SQL: Record<string, { expr: string; kind: 'text' | 'num' | 'time' }> = {
  name: { expr: 'lower(f.name)', kind: 'text' },
  size: { expr: 'coalesce(f.size, -1)', kind: 'num' },
  createdAt: { expr: "coalesce(f.crm_created_at, '-infinity'::timestamptz)", kind: 'time' },
  modifiedAt: { expr: "coalesce(f.crm_modified_at, '-infinity'::timestamptz)", kind: 'time' },
  id: { expr: 'f.id', kind: 'num' },
};

/** Reads for the files API: every filter maps to an indexed column (names through a trigram index). */
export class FilesQueryRepository {
  constructor(private readonly em: EntityManager) {}

  async list(
    filter: FileFilter,
    sort: FileSort,
    limit: number,
    cursor?: string,
  ): Promise<{ items: FileRow[]; nextCursor: string | null }> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (filter.connectionId) add('f.connection_id = ?', filter.connectionId);
    if (filter.provider) add('f.provider = ?', filter.provider);
    if (filter.dealId) add('f.deal_external_id = ?', filter.dealId);
    if (filter.q)
      add("lower(f.name) like ? escape '\\'", `%${filter.q.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    if (filter.extension) add('f.extension = ?', filter.extension.toLowerCase().replace(/^\./, ''));
    if (filter.mimeType) add('f.mime_type = ?', filter.mimeType);
    if (filter.minSize !== undefined) add('f.size >= ?', filter.minSize);
    if (filter.maxSize !== undefined) add('f.size <= ?', filter.maxSize);
    if (filter.createdFrom) add('f.crm_created_at >= ?', filter.createdFrom);
    if (filter.createdTo) add('f.crm_created_at <= ?', filter.createdTo);
    if (filter.modifiedFrom) add('f.crm_modified_at >= ?', filter.modifiedFrom);
    if (filter.modifiedTo) add('f.crm_modified_at <= ?', filter.modifiedTo);
    if (filter.duplicatesOnly) add('f.duplicate_of_id is not null');
    if (!filter.includeDeleted) add('f.deleted_at is null');
    const desc = sort.startsWith('-');
    const key = SORT_SQL[sort.replace(/^-/, '')]!;
    if (cursor) {
      const c = decode(cursor, key.kind);
      add(`(${key.expr}, f.id) ${desc ? '<' : '>'} (?, ?)`, c.v, c.id);
    }
    const dir = desc ? 'desc' : 'asc';
    const sql = `select f.*, ${key.expr} as sort_key from file_metadata f ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${key.expr} ${dir}, f.id ${dir} limit ${limit + 1}`;
    const rows = await this.em.getConnection().execute<Array<FileRow & { sort_key: unknown }>>(sql, params);
    const items = rows.slice(0, limit).map(normalise);
    const last = rows[limit - 1];
    return { items, nextCursor: rows.length > limit && last ? encode(last.sort_key, Number(last.id)) : null };
  }

  async get(id: number): Promise<FileRow | undefined> {
    const [row] = await this.em.getConnection().execute<FileRow[]>('select * from file_metadata where id = ?', [id]);
    return row ? normalise(row) : undefined;
  }
}

function normalise(r: FileRow): FileRow {
  return {
    ...r,
    id: Number(r.id),
    size: r.size === null ? null : Number(r.size),
    duplicate_of_id: r.duplicate_of_id === null ? null : Number(r.duplicate_of_id),
  };
}

function encode(v: unknown, id: number): string {
  const value = v instanceof Date ? (Number.isFinite(v.getTime()) ? v.toISOString() : '-infinity') : v;
  return Buffer.from(JSON.stringify({ v: value, id })).toString('base64url');
}

const BIGINT_MIN = -(2n ** 63n);
const BIGINT_MAX = 2n ** 63n - 1n;

/** Timestamps come back from pg as text (`2026-11-22 10:00:00.123456+00`); the cursor keeps the microseconds. */
const PG_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}(?::?\d{2})?)$/;

/** A sort value of the sort's own type, or undefined: what reaches Postgres must parse there. */
function sortValue(kind: 'text' | 'num' | 'time', v: unknown): unknown {
  if (kind === 'text') return typeof v === 'string' && !hasNul(v) ? v : undefined;
  if (kind === 'num') {
    if (typeof v === 'number') return Number.isSafeInteger(v) ? v : undefined;
    // Bigints come back from pg as digit strings.
    if (typeof v !== 'string' || !/^-?\d{1,19}$/.test(v)) return undefined;
    return BigInt(v) >= BIGINT_MIN && BigInt(v) <= BIGINT_MAX ? v : undefined;
  }
  if (v === '-infinity') return v;
  const m = typeof v === 'string' ? PG_TIME.exec(v) : null;
  if (!m) return undefined;
  const offset = m[3] === 'Z' ? 'Z' : `${m[3]!.slice(0, 3)}:${m[3]!.slice(3).replace(':', '') || '00'}`;
  const iso = `${m[1]}T${m[2]}${offset}`;
  return DateTime.safeParse(iso).success ? iso : undefined;
}

function decode(cursor: string, kind: 'text' | 'num' | 'time'): { v: unknown; id: number } {
  const c = parseJson(Buffer.from(cursor, 'base64url').toString('utf8')) as
    { v?: unknown; id?: unknown } | null | undefined;
  const v = c && typeof c === 'object' ? sortValue(kind, c.v) : undefined;
  if (v === undefined || !isId(c?.id))
    throw new InvalidCursorError('cursor is not one this API returned for this sort');
  return { v, id: c.id };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
