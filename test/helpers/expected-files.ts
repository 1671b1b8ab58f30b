import type { RunningSimulators } from '../../simulators/index.js';

export interface ExpectedFile {
  externalFileId: string;
  dealExternalId: string;
  name: string;
  size: number;
  extension: string;
}

/** What the simulators hold, read from their stores (the ground truth a sync must reproduce). */
export function hubspotExpected(sims: RunningSimulators): ExpectedFile[] {
  const { store } = sims.hubspot;
  const out: ExpectedFile[] = [];
  for (const deal of store.objects.get('deals')!.values()) {
    for (const noteId of store.associated('deals', deal.id, 'notes')) {
      const note = store.objects.get('notes')!.get(noteId);
      for (const fileId of (note?.properties.hs_attachment_ids ?? '').split(';').filter(Boolean)) {
        const f = store.files.get(fileId);
        if (f)
          out.push({
            externalFileId: f.id,
            dealExternalId: deal.id,
            name: `${f.name}.${f.extension}`,
            size: f.size,
            extension: f.extension,
          });
      }
    }
  }
  return out.sort((a, b) => a.externalFileId.localeCompare(b.externalFileId));
}

export function zohoExpected(sims: RunningSimulators): ExpectedFile[] {
  return [...sims.zoho.store.attachments.values()]
    .filter((a) => a.parentModule === 'Deals' && sims.zoho.store.records.get('Deals')!.has(a.parentId))
    .map((a) => ({
      externalFileId: a.id,
      dealExternalId: a.parentId,
      name: a.fileName,
      size: a.size,
      extension: a.fileName.split('.').pop()!.toLowerCase(),
    }))
    .sort((a, b) => a.externalFileId.localeCompare(b.externalFileId));
}
