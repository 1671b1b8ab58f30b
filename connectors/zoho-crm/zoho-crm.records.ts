import type { CrmRecord, ModuleRecords, RecordAttachment, RecordWriteResult } from '../capabilities.js';
import { ZOHO_PAGE_LIMIT, type ZohoCrmClient } from './zoho-crm.client.js';
import { recordWriteResult } from './zoho-crm.mapper.js';
import type { ZohoRecord } from './zoho-crm.schemas.js';

/** ⚠ Search criteria take at most 10 conditions (crm-apis.md 2.2). */
const MAX_CRITERIA = 10;

/** A criteria value: `(`, `)` and `,` are escaped with a backslash (crm-apis.md 2.2); the client URL-encodes it. */
export function criteriaValue(value: string | boolean): string {
  return String(value).replace(/[\\(),]/g, (c) => `\\${c}`);
}

/** `((A:equals:x)and(B:equals:y))`; one condition is written without the outer parentheses. */
export function equalsCriteria(where: Record<string, string | boolean>): string {
  const parts = Object.entries(where).map(([field, value]) => `(${field}:equals:${criteriaValue(value)})`);
  if (parts.length === 0 || parts.length > MAX_CRITERIA)
    throw new RangeError(`Zoho search takes 1 to ${MAX_CRITERIA} criteria, got ${parts.length}`);
  return parts.length === 1 ? parts[0]! : `(${parts.join('and')})`;
}

function toRecord(r: ZohoRecord): CrmRecord {
  const { id, ...fields } = r;
  return { id, fields, modifiedAt: typeof r.Modified_Time === 'string' ? r.Modified_Time : null };
}

/** Any Zoho module's records and their attachments (crm-apis.md 2.1-2.5). */
export class ZohoModuleRecords implements ModuleRecords {
  constructor(private readonly client: ZohoCrmClient) {}

  async findRecords(module: string, where: Record<string, string | boolean>, fields: string[], page: number) {
    const res = await this.client.searchRecords(module, {
      criteria: equalsCriteria(where),
      fields,
      page,
      perPage: ZOHO_PAGE_LIMIT,
    });
    // ⚠ No match ⇒ 204 with no body (crm-apis.md 6.3): an empty page.
    return { records: res.records.map(toRecord), nextPage: res.info?.more_records ? page + 1 : null };
  }

  async readRecord(module: string, id: string, fields: string[]): Promise<CrmRecord | null> {
    const record = await this.client.getRecord(module, id, [...new Set([...fields, 'Modified_Time'])]);
    return record ? toRecord(record) : null;
  }

  async updateRecord(module: string, id: string, fields: Record<string, unknown>): Promise<RecordWriteResult> {
    const [result] = await this.client.updateRecords(module, [{ id, ...fields }]);
    return (
      recordWriteResult(result) ?? {
        ok: false,
        code: 'MISSING_RESULT',
        message: 'Zoho returned no result for this record',
      }
    );
  }

  async attachments(module: string, recordId: string): Promise<RecordAttachment[]> {
    const out: RecordAttachment[] = [];
    for (let page = 1; ; page += 1) {
      const res = await this.client.listAttachments(module, recordId, { page, perPage: ZOHO_PAGE_LIMIT });
      for (const a of res.records) {
        if (a.$link_url) continue;
        out.push({ id: a.id, fileName: a.File_Name, size: a.Size === undefined ? null : Number(a.Size) });
      }
      if (!res.info?.more_records) return out;
    }
  }

  openAttachment(module: string, recordId: string, attachmentId: string): Promise<Response> {
    return this.client.downloadAttachment(module, recordId, attachmentId);
  }
}
