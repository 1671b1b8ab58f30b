import type { z } from 'zod';
import type { ZohoWriteItem } from './zoho-crm.schemas.js';

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
