import { type CrmDeal, type CrmFile, dateOrNull, mimeFromExtension } from '../crm-file.js';
import type { HubSpotFile, HubSpotObject } from './hubspot.schemas.js';

export const HUBSPOT_DEAL_PROPERTIES = ['dealname', 'dealstage', 'amount', 'hs_lastmodifieddate'];

export function toCrmDeal(d: HubSpotObject): CrmDeal {
  const amount = d.properties.amount ? Number(d.properties.amount) : null;
  return {
    externalId: d.id,
    name: d.properties.dealname ?? null,
    stage: d.properties.dealstage ?? null,
    amount: amount !== null && Number.isFinite(amount) ? amount : null,
    crmModifiedAt: dateOrNull(d.properties.hs_lastmodifieddate ?? d.updatedAt),
  };
}

/** HubSpot's `name` has no extension; ours carries it, as users see it. */
export function toCrmFile(f: HubSpotFile, dealExternalId: string): CrmFile {
  const ext = f.extension?.toLowerCase() ?? null;
  const base = f.name ?? f.id;
  return {
    externalFileId: f.id,
    dealExternalId,
    name: ext && !base.toLowerCase().endsWith(`.${ext}`) ? `${base}.${ext}` : base,
    extension: ext,
    mimeType: mimeFromExtension(ext),
    size: f.size ?? null,
    md5: md5Hex(f.fileMd5),
    crmCreatedAt: dateOrNull(f.createdAt),
    crmModifiedAt: dateOrNull(f.updatedAt),
    sourceUrl: f.url ?? null,
    access: f.access === 'PRIVATE' || f.access === 'SENSITIVE' || f.access.startsWith('HIDDEN') ? 'private' : 'public',
  };
}

/**
 * ⚠ `fileMd5`'s encoding is not documented (crm-apis.md 4.5 names the field only): hex and base64 of 16 bytes are
 * read; anything else is not compared rather than failing every download.
 */
export function md5Hex(value: string | null | undefined): string | null {
  if (!value) return null;
  if (/^[0-9a-f]{32}$/i.test(value)) return value.toLowerCase();
  const bytes = /^[A-Za-z0-9+/]{22}(==)?$/.test(value) ? Buffer.from(value, 'base64') : undefined;
  return bytes?.length === 16 ? bytes.toString('hex') : null;
}

/** ⚠ hs_attachment_ids is `;`-separated (crm-apis.md 6.8). */
export function attachmentIds(note: HubSpotObject): string[] {
  return (note.properties.hs_attachment_ids ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);
}
