import { type CrmDeal, type CrmFile, dateOrNull, mimeFromExtension } from '../crm-file.js';
import type { HubSpotFile, HubSpotObject } from './hubspot.schemas.js';

export const HUBSPOT_DEAL_PROPERTIES = ['dealname', 'dealstage', 'amount', 'hs_lastmodifieddate'];

export function toCrmDeal(d: HubSpotObject): CrmDeal {
  const amount = d.properties.amount ? Number(d.properties.amount) : null;
  return {
    externalId: d.id, name: d.properties.dealname ?? null, stage: d.properties.dealstage ?? null,
    amount: amount !== null && Number.isFinite(amount) ? amount : null,
    crmModifiedAt: dateOrNull(d.properties.hs_lastmodifieddate ?? d.updatedAt),
  };
}

/** HubSpot's `name` has no extension; ours carries it, as users see it. */
export function toCrmFile(f: HubSpotFile, dealExternalId: string): CrmFile {
  const ext = f.extension?.toLowerCase() ?? null;
  const base = f.name ?? f.id;
  return {
    externalFileId: f.id, dealExternalId, name: ext && !base.toLowerCase().endsWith(`.${ext}`) ? `${base}.${ext}` : base,
    extension: ext, mimeType: mimeFromExtension(ext), size: f.size ?? null,
    crmCreatedAt: dateOrNull(f.createdAt), crmModifiedAt: dateOrNull(f.updatedAt), sourceUrl: f.url ?? null,
    access: f.access === 'PRIVATE' || f.access === 'SENSITIVE' || f.access.startsWith('HIDDEN') ? 'private' : 'public',
  };
}

/** ⚠ hs_attachment_ids is `;`-separated (crm-apis.md 6.8). */
export function attachmentIds(note: HubSpotObject): string[] {
  return (note.properties.hs_attachment_ids ?? '').split(';').map((s) => s.trim()).filter(Boolean);
}
