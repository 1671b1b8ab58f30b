import type { RecordWriteResult } from '../capabilities.js';
import type { z } from 'zod';
import { type CrmDeal, type CrmFile, dateOrNull, extensionOf, mimeFromExtension } from '../crm-file.js';
import type { ZohoAttachment, ZohoRecord, ZohoWriteItem } from './zoho-crm.schemas.js';

export const ZOHO_DEAL_FIELDS = ['Deal_Name', 'Stage', 'Amount', 'Modified_Time'];

export function toCrmDeal(d: ZohoRecord): CrmDeal {
  return {
    externalId: d.id,
    name: typeof d.Deal_Name === 'string' ? d.Deal_Name : null,
    stage: typeof d.Stage === 'string' ? d.Stage : null,
    amount: typeof d.Amount === 'number' ? d.Amount : null,
    crmModifiedAt: dateOrNull(d.Modified_Time),
  };
}

/** Link attachments ($link_url) are not files; callers skip them. ⚠ Size arrives as a string. */
export function toCrmFile(a: ZohoAttachment, dealExternalId: string, apiBase: string): CrmFile {
  const ext = extensionOf(a.File_Name);
  return {
    externalFileId: a.id,
    dealExternalId,
    name: a.File_Name,
    extension: ext,
    mimeType: mimeFromExtension(ext),
    size: Number(a.Size),
    crmCreatedAt: dateOrNull(a.Created_Time),
    crmModifiedAt: dateOrNull(a.Modified_Time ?? a.Created_Time),
    sourceUrl: `${apiBase}/Deals/${dealExternalId}/Attachments/${a.id}`,
    access: 'private',
  };
}

export type ZohoWriteResult =
  | { ok: true; id: string; action?: 'insert' | 'update'; createdTime?: string; modifiedTime?: string }
  | { ok: false; code: string; message: string; details: Record<string, unknown> };

/** ⚠ Batch writes answer 201/207/400 with one result per input (crm-apis.md 6.5): every item is inspected. */
export function toWriteResult(item: z.infer<typeof ZohoWriteItem>): ZohoWriteResult {
  if (item.status === 'error') return { ok: false, code: item.code, message: item.message, details: item.details };
  const d = item.details as { id?: unknown; Created_Time?: unknown; Modified_Time?: unknown };
  return {
    ok: true,
    id: String(d.id),
    action: item.action,
    createdTime: typeof d.Created_Time === 'string' ? d.Created_Time : undefined,
    modifiedTime: typeof d.Modified_Time === 'string' ? d.Modified_Time : undefined,
  };
}

/** ⚠ Zoho times carry the API user's offset and no millis (crm-apis.md 6.6): compare as instants, never strings. */
export function zohoTimeToIso(value: string): string {
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new Error(`not a Zoho date-time: ${value}`);
  return new Date(t).toISOString();
}

/** `If-Modified-Since` takes an ISO date-time with offset and no millis. */
export function toZohoTime(iso: string): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A Zoho write answer in the capabilities' terms; the field a refusal names goes into the message. */
export function recordWriteResult(res: ZohoWriteResult | undefined): RecordWriteResult | undefined {
  if (!res) return undefined;
  if (res.ok) return { ok: true, id: res.id, modifiedTime: res.modifiedTime };
  return {
    ok: false,
    code: res.code,
    message: `${res.message}${res.details.api_name ? ` (${String(res.details.api_name)})` : ''}`,
  };
}
