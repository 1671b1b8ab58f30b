import { classifyResponse } from '../classify.js';
import { UnavailableError, ValidationError } from '../errors.js';
import type { HttpClient, HttpRequest } from '../http.js';
import { toWriteResult, toZohoTime, type ZohoWriteResult } from './zoho-crm.mapper.js';
import {
  ZohoAttachmentsResponse,
  ZohoDeletedResponse,
  ZohoGetResponse,
  ZohoListResponse,
  ZohoWriteResponse,
  type ZohoAttachment,
  type ZohoInfo,
  type ZohoRecord,
} from './zoho-crm.schemas.js';

export interface ListOptions {
  /** ⚠ Mandatory on list calls (crm-apis.md 6.4); at most 50. */
  fields: string[];
  perPage?: number;
  page?: number;
  /** Needed past the first 2,000 records; exclusive with `page`. */
  pageToken?: string;
  sortBy?: 'id' | 'Created_Time' | 'Modified_Time';
  sortOrder?: 'asc' | 'desc';
  /** ISO instant: only records modified after it. */
  modifiedSince?: string;
  ids?: string[];
}

export interface ListPage<T> {
  records: T[];
  info?: ZohoInfo;
  notModified: boolean;
}

export const ZOHO_BATCH_LIMIT = 100;
export const ZOHO_PAGE_LIMIT = 200;
/** ⚠ `page` reaches only the first 2,000 records; beyond, `page_token` is required (crm-apis.md 6.4). */
export const ZOHO_PAGE_REACH = 2_000;

/** ⚠ COQL takes at most 50 values in one `in` (crm-apis.md 2.2); LIMIT up to 200 costs one credit. */
const COQL_IN_LIMIT = 50;
const COQL_LIMIT = 200;

/** A COQL string literal: single quotes, with quotes and backslashes escaped by a backslash. */
function coqlString(value: string): string {
  return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
}

/** Zoho CRM v8 over HTTP. The base URL comes from the token's `api_domain`, resolved by the HttpClient. */
export class ZohoCrmClient {
  constructor(private readonly http: HttpClient) {}

  /** `${api_domain}/crm/v8`, for building record links. */
  apiBase(): Promise<string> {
    return this.http.baseUrl();
  }

  async listRecords(module: string, opts: ListOptions): Promise<ListPage<ZohoRecord>> {
    if (opts.fields.length === 0)
      throw new ValidationError('Zoho list calls need at least one field', { code: 'REQUIRED_PARAM_MISSING' });
    const { status, data } = await this.http.json(
      {
        path: `/${module}`,
        query: {
          fields: opts.fields.join(','),
          per_page: opts.perPage ?? ZOHO_PAGE_LIMIT,
          page: opts.pageToken ? undefined : opts.page,
          page_token: opts.pageToken,
          sort_by: opts.sortBy,
          sort_order: opts.sortOrder,
          ids: opts.ids?.join(','),
        },
        headers: modifiedSinceHeader(opts.modifiedSince),
      },
      ZohoListResponse,
    );
    // ⚠ No rows ⇒ 204 with no body; nothing changed since If-Modified-Since ⇒ 304 (crm-apis.md 6.3).
    return { records: data?.data ?? [], info: data?.info, notModified: status === 304 };
  }

  async getRecord(module: string, id: string, fields?: string[]): Promise<ZohoRecord | undefined> {
    const { data } = await this.http.json(
      { path: `/${module}/${id}`, query: { fields: fields?.join(',') } },
      ZohoGetResponse,
    );
    return data?.data[0];
  }

  insertRecords(
    module: string,
    records: Record<string, unknown>[],
    trigger: string[] = [],
  ): Promise<ZohoWriteResult[]> {
    return this.write({ method: 'POST', path: `/${module}`, json: { data: records, trigger } }, records.length);
  }

  updateRecords(
    module: string,
    records: Array<Record<string, unknown> & { id: string }>,
    trigger: string[] = [],
  ): Promise<ZohoWriteResult[]> {
    return this.write({ method: 'PUT', path: `/${module}`, json: { data: records, trigger } }, records.length);
  }

  /** Insert-or-update keyed on `duplicateCheckFields`: the retry-safe way to create records. */
  upsertRecords(
    module: string,
    records: Record<string, unknown>[],
    duplicateCheckFields: string[],
    trigger: string[] = [],
  ): Promise<ZohoWriteResult[]> {
    return this.write(
      {
        method: 'POST',
        path: `/${module}/upsert`,
        json: { data: records, duplicate_check_fields: duplicateCheckFields, trigger },
      },
      records.length,
    );
  }

  deleteRecords(module: string, ids: string[]): Promise<ZohoWriteResult[]> {
    return this.write(
      { method: 'DELETE', path: `/${module}`, query: { ids: ids.join(','), wf_trigger: false } },
      ids.length,
    );
  }

  async listDeleted(
    module: string,
    opts: { type?: 'all' | 'recycle' | 'permanent'; page?: number; perPage?: number; modifiedSince?: string } = {},
  ) {
    const { status, data } = await this.http.json(
      {
        path: `/${module}/deleted`,
        query: { type: opts.type ?? 'all', page: opts.page, per_page: opts.perPage ?? ZOHO_PAGE_LIMIT },
        headers: modifiedSinceHeader(opts.modifiedSince),
      },
      ZohoDeletedResponse,
    );
    return { records: data?.data ?? [], info: data?.info, notModified: status === 304 };
  }

  async searchRecords(
    module: string,
    opts: {
      criteria?: string;
      email?: string;
      phone?: string;
      word?: string;
      page?: number;
      perPage?: number;
      fields?: string[];
    },
  ): Promise<ListPage<ZohoRecord>> {
    const { data } = await this.http.json(
      {
        path: `/${module}/search`,
        query: {
          criteria: opts.criteria,
          email: opts.email,
          phone: opts.phone,
          word: opts.word,
          page: opts.page,
          per_page: opts.perPage,
          fields: opts.fields?.join(','),
        },
      },
      ZohoListResponse,
    );
    return { records: data?.data ?? [], info: data?.info, notModified: false };
  }

  /**
   * Records whose `field` equals one of `values`, through COQL: one call per 50 values (the `in` limit, crm-apis.md
   * 2.2). Whether COQL compares text case-insensitively is not documented, so callers pass each spelling they need.
   */
  async findByValues(module: string, fields: string[], field: string, values: string[]): Promise<ZohoRecord[]> {
    const found: ZohoRecord[] = [];
    const unique = [...new Set(values)];
    for (let i = 0; i < unique.length; i += COQL_IN_LIMIT) {
      const list = unique
        .slice(i, i + COQL_IN_LIMIT)
        .map(coqlString)
        .join(', ');
      const { data } = await this.http.json(
        {
          method: 'POST',
          path: '/coql',
          json: {
            select_query: `select ${fields.join(', ')} from ${module} where ${field} in (${list}) limit ${COQL_LIMIT}`,
          },
        },
        ZohoListResponse,
      );
      found.push(...(data?.data ?? []));
    }
    return found;
  }

  async addNote(module: string, recordId: string, note: { title: string; content: string }): Promise<ZohoWriteResult> {
    const [result] = await this.write(
      {
        method: 'POST',
        path: `/${module}/${recordId}/Notes`,
        json: { data: [{ Note_Title: note.title, Note_Content: note.content }] },
      },
      1,
    );
    return result as ZohoWriteResult;
  }

  /** A record's notes, one page (crm-apis.md 2.4). */
  async listNotes(
    module: string,
    recordId: string,
    opts: { page?: number; perPage?: number } = {},
  ): Promise<ListPage<ZohoRecord>> {
    const { data } = await this.http.json(
      {
        path: `/${module}/${recordId}/Notes`,
        query: {
          fields: 'Note_Title,Note_Content,Modified_Time',
          page: opts.page,
          per_page: opts.perPage ?? ZOHO_PAGE_LIMIT,
        },
      },
      ZohoListResponse,
    );
    return { records: data?.data ?? [], info: data?.info, notModified: false };
  }

  async listAttachments(
    module: string,
    recordId: string,
    opts: { page?: number; perPage?: number; pageToken?: string } = {},
  ): Promise<ListPage<ZohoAttachment>> {
    const { data } = await this.http.json(
      {
        path: `/${module}/${recordId}/Attachments`,
        query: {
          fields: 'id,File_Name,Size,Created_Time,Modified_Time,Parent_Id,$file_id,$type,$link_url',
          page: opts.pageToken ? undefined : opts.page,
          page_token: opts.pageToken,
          per_page: opts.perPage ?? ZOHO_PAGE_LIMIT,
        },
      },
      ZohoAttachmentsResponse,
    );
    return { records: data?.data ?? [], info: data?.info, notModified: false };
  }

  /** The attachment's bytes as a stream; the caller consumes or cancels the body. */
  downloadAttachment(module: string, recordId: string, attachmentId: string): Promise<Response> {
    return this.http.stream({ path: `/${module}/${recordId}/Attachments/${attachmentId}`, headers: { accept: '*/*' } });
  }

  async uploadAttachment(
    module: string,
    recordId: string,
    file: { name: string; content: Blob },
  ): Promise<ZohoWriteResult> {
    const form = new FormData();
    form.set('file', file.content, file.name);
    const [result] = await this.write({ method: 'POST', path: `/${module}/${recordId}/Attachments`, body: form }, 1);
    return result as ZohoWriteResult;
  }

  /** Cheapest authenticated read: one id of one lead. */
  async probe(): Promise<void> {
    await this.listRecords('Leads', { fields: ['id'], perPage: 1 });
  }

  private async write(req: HttpRequest, expected: number): Promise<ZohoWriteResult[]> {
    if (expected > ZOHO_BATCH_LIMIT)
      throw new ValidationError(`Zoho writes take at most ${ZOHO_BATCH_LIMIT} records, got ${expected}`, {
        code: 'LIMIT_EXCEEDED',
      });
    // ⚠ 400 may carry per-record errors in data[] rather than a request-level error: read it as results.
    const res = await this.http.request({ ...req, acceptStatuses: [400] });
    const parsed = ZohoWriteResponse.safeParse(res.body);
    if (parsed.success) return parsed.data.data.map(toWriteResult);
    if (res.status >= 400) throw classifyResponse({ status: res.status, headers: res.headers, body: res.body });
    throw new UnavailableError(`unexpected Zoho write response (HTTP ${res.status})`, {
      status: res.status,
      code: 'INVALID_RESPONSE',
    });
  }
}

function modifiedSinceHeader(iso: string | undefined): Record<string, string> | undefined {
  return iso ? { 'if-modified-since': toZohoTime(iso) } : undefined;
}
