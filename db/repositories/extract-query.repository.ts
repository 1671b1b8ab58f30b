import type { EntityManager } from '@mikro-orm/postgresql';
import type { ExtractDomain } from '../../domain/extract-fields.js';
import type { AggregationType } from '../entities/index.js';
import { EXTRACT_TABLES } from './extract-tables.js';
import { decodeIdCursor, encodeIdCursor, InvalidCursorError } from './id-cursor.js';
import { pgQuery } from './lead-rows.js';

export type ExportValue = string | number | null;

/**
 * What an export and the API show of each domain: `[output name, SQL]`. Times are ISO strings; deals show the
 * extract's stage and the modification time of the copy the extract applied.
 */
const ts = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
export const EXTRACT_COLUMNS: Record<ExtractDomain, Array<[string, string]>> = {
  accounts: [
    ['connection_id', 'connection_id'],
    ['account_id', 'external_id'],
    ['name', 'name'],
    ['industry', 'industry'],
    ['value', 'value'],
    ['region', 'region'],
    ['crm_modified_at', ts('crm_modified_at')],
  ],
  contacts: [
    ['connection_id', 'connection_id'],
    ['contact_id', 'external_id'],
    ['first_name', 'first_name'],
    ['last_name', 'last_name'],
    ['email', 'email'],
    ['job_title', 'job_title'],
    ['lead_source', 'lead_source'],
    ['last_contact_date', ts('last_contact_at')],
    ['crm_modified_at', ts('crm_modified_at')],
  ],
  deals: [
    ['connection_id', 'connection_id'],
    ['deal_id', 'external_id'],
    ['name', 'name'],
    ['size', 'amount'],
    ['probability', 'probability'],
    ['stage', 'normalized_stage'],
    ['account_id', 'account_external_id'],
    ['created_at', ts('crm_created_at')],
    ['crm_modified_at', ts('extract_modified_at')],
  ],
};
export const exportColumns = (domain: ExtractDomain) => EXTRACT_COLUMNS[domain].map(([name]) => name);

/** The enum column a domain's list filters on, and the text columns its name search reads. */
const FILTERS: Record<ExtractDomain, { enumColumn: string; search: string[] }> = {
  accounts: { enumColumn: 'region', search: ['name'] },
  contacts: { enumColumn: 'lead_source', search: ['first_name', 'last_name', 'email'] },
  deals: { enumColumn: 'normalized_stage', search: ['name'] },
};

export interface ExtractListFilter {
  connectionId?: string;
  /** Region (accounts), lead source (contacts) or stage (deals). */
  value?: string;
  /** Deals of one account. */
  accountId?: string;
  /** Case-insensitive substring of the name (contacts: name or email). */
  q?: string;
}

/** A parameter list that hands out `$n` placeholders. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

function encodeKey(kind: string, key: string[]): string {
  return Buffer.from(JSON.stringify([kind, ...key])).toString('base64url');
}
function decodeKey(kind: string, cursor: string, size: number): string[] {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parsed) &&
      parsed.length === size + 1 &&
      parsed[0] === kind &&
      parsed.every((p) => typeof p === 'string')
    )
      return parsed.slice(1) as string[];
  } catch {
    // Falls through to the 400.
  }
  throw new InvalidCursorError('cursor is not one this API returned');
}

/** Reads of the extract's tables: lists with keyset pages, and exports read in keyset batches. */
export class ExtractQueryRepository {
  constructor(private readonly em: EntityManager) {}

  private where(domain: ExtractDomain, filter: ExtractListFilter, p: Params): string {
    const t = EXTRACT_TABLES[domain];
    const f = FILTERS[domain];
    const clauses = [t.live];
    if (filter.connectionId) clauses.push(`connection_id = ${p.add(filter.connectionId)}`);
    if (filter.value) clauses.push(`${f.enumColumn} = ${p.add(filter.value)}`);
    if (filter.accountId) clauses.push(`account_external_id = ${p.add(filter.accountId)}`);
    if (filter.q) {
      const like = p.add(likePattern(filter.q));
      clauses.push(`(${f.search.map((c) => `${c} ilike ${like}`).join(' or ')})`);
    }
    return clauses.join(' and ');
  }

  async list(domain: ExtractDomain, filter: ExtractListFilter, limit: number, cursor?: string) {
    const p = new Params();
    const after = cursor ? decodeIdCursor(domain, cursor) : 0;
    const columns = EXTRACT_COLUMNS[domain].map(([name, sql]) => `${sql} as "${name}"`).join(', ');
    const rows = await pgQuery<Record<string, ExportValue> & { id: string }>(
      this.em,
      `select id, ${columns} from ${EXTRACT_TABLES[domain].table}
        where ${this.where(domain, filter, p)} and id > ${p.add(after)} order by id limit ${p.add(limit + 1)}`,
      p.values,
    );
    const items = rows.slice(0, limit).map((r) => ({ ...numeric(r), id: Number(r.id) }));
    return {
      items,
      nextCursor: rows.length > limit ? encodeIdCursor(domain, items[items.length - 1]!.id) : null,
    };
  }

  /** The rows of a domain in batches of `batchSize`, by id; memory holds one batch. */
  async *exportBatches(
    domain: ExtractDomain,
    filter: ExtractListFilter,
    batchSize = 5_000,
  ): AsyncGenerator<Array<Record<string, ExportValue>>> {
    const columns = EXTRACT_COLUMNS[domain].map(([name, sql]) => `${sql} as "${name}"`).join(', ');
    for (let after = 0; ;) {
      const p = new Params();
      const rows = await pgQuery<Record<string, ExportValue> & { id: string }>(
        this.em,
        `select id, ${columns} from ${EXTRACT_TABLES[domain].table}
          where ${this.where(domain, filter, p)} and id > ${p.add(after)} order by id limit ${p.add(batchSize)}`,
        p.values,
      );
      if (rows.length === 0) return;
      after = Number(rows[rows.length - 1]!.id);
      yield rows.map(({ id: _id, ...rest }) => numeric(rest));
      if (rows.length < batchSize) return;
    }
  }

  async count(domain: ExtractDomain, filter: ExtractListFilter): Promise<number> {
    const p = new Params();
    const [row] = await pgQuery<{ n: string }>(
      this.em,
      `select count(*) as n from ${EXTRACT_TABLES[domain].table} where ${this.where(domain, filter, p)}`,
      p.values,
    );
    return Number(row?.n ?? 0);
  }

  async rejects(
    filter: { connectionId?: string; domain?: ExtractDomain; code?: string },
    limit: number,
    cursor?: string,
  ) {
    const p = new Params();
    const clauses = ['true'];
    if (filter.connectionId) clauses.push(`connection_id = ${p.add(filter.connectionId)}`);
    if (filter.domain) clauses.push(`domain = ${p.add(filter.domain)}`);
    if (filter.code) clauses.push(`code = ${p.add(filter.code)}`);
    if (cursor) {
      const [c, d, e] = decodeKey('reject', cursor, 3);
      clauses.push(`(connection_id, domain, external_id) > (${p.add(c)}, ${p.add(d)}, ${p.add(e)})`);
    }
    const rows = await pgQuery<{
      connection_id: string;
      domain: string;
      external_id: string;
      code: string;
      field: string;
      message: string;
      value: string | null;
      crm_modified_at: Date;
      run_id: string;
      seen_at: Date;
    }>(
      this.em,
      `select * from extract_rejects where ${clauses.join(' and ')}
        order by connection_id, domain, external_id limit ${p.add(limit + 1)}`,
      p.values,
    );
    const items = rows.slice(0, limit).map((r) => ({
      connectionId: r.connection_id,
      domain: r.domain,
      recordId: r.external_id,
      code: r.code,
      field: r.field,
      message: r.message,
      value: r.value,
      crmModifiedAt: r.crm_modified_at.toISOString(),
      runId: r.run_id,
      seenAt: r.seen_at.toISOString(),
    }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit && last ? encodeKey('reject', [last.connectionId, last.domain, last.recordId]) : null,
    };
  }

  async aggregations(
    filter: { connectionId?: string; type: AggregationType; accountId?: string; from?: string; to?: string },
    limit: number,
    cursor?: string,
  ) {
    const p = new Params();
    const clauses = [`g.type = ${p.add(filter.type)}`];
    if (filter.connectionId) clauses.push(`g.connection_id = ${p.add(filter.connectionId)}`);
    if (filter.accountId) clauses.push(`g.account_external_id = ${p.add(filter.accountId)}`);
    if (filter.from) clauses.push(`g.period_start >= ${p.add(filter.from)}::date`);
    if (filter.to) clauses.push(`g.period_start <= ${p.add(filter.to)}::date`);
    if (cursor) {
      const [c, a, d] = decodeKey('aggregation', cursor, 3);
      clauses.push(
        `(g.connection_id, g.account_external_id, g.period_start) > (${p.add(c)}, ${p.add(a)}, ${p.add(d)}::date)`,
      );
    }
    const rows = await pgQuery<{
      connection_id: string;
      account_external_id: string;
      period: string;
      total_size: number;
      deal_count: number;
      account_name: string | null;
    }>(
      this.em,
      `select g.connection_id, g.account_external_id, to_char(g.period_start, 'YYYY-MM-DD') as period, g.total_size,
              g.deal_count, a.name as account_name
         from deal_aggregations g
         left join accounts a on a.connection_id = g.connection_id and a.external_id = g.account_external_id
        where ${clauses.join(' and ')}
        order by g.connection_id, g.account_external_id, g.period_start limit ${p.add(limit + 1)}`,
      p.values,
    );
    const items = rows.slice(0, limit).map((r) => ({
      connectionId: r.connection_id,
      accountId: r.account_external_id,
      accountName: r.account_name,
      type: filter.type,
      periodStart: r.period,
      totalSize: Number(r.total_size),
      dealCount: Number(r.deal_count),
    }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor:
        rows.length > limit && last
          ? encodeKey('aggregation', [last.connectionId, last.accountId, last.periodStart])
          : null,
    };
  }

  /** Totals per period across accounts (or of one account), oldest first: what the chart draws. */
  async series(filter: { connectionId?: string; type: AggregationType; accountId?: string }) {
    const p = new Params();
    const clauses = [`type = ${p.add(filter.type)}`];
    if (filter.connectionId) clauses.push(`connection_id = ${p.add(filter.connectionId)}`);
    if (filter.accountId) clauses.push(`account_external_id = ${p.add(filter.accountId)}`);
    const rows = await pgQuery<{ period: string; total: number; n: string }>(
      this.em,
      `select to_char(period_start, 'YYYY-MM-DD') as period, sum(total_size) as total, sum(deal_count) as n
         from deal_aggregations where ${clauses.join(' and ')} group by period_start order by period_start`,
      p.values,
    );
    return rows.map((r) => ({ period: r.period, totalSize: Number(r.total), dealCount: Number(r.n) }));
  }
}

/** float8 columns arrive as numbers; keep everything else as the driver gave it. */
function numeric<T extends Record<string, unknown>>(row: T): Record<string, ExportValue> {
  const out: Record<string, ExportValue> = {};
  for (const [k, v] of Object.entries(row)) out[k] = v === null || v === undefined ? null : (v as ExportValue);
  return out;
}
