import { Client } from '@hubspot/api-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

/** The official HubSpot client checks the simulator independently of our own connector (DESIGN.md §7). */
let sims: RunningSimulators;
let hubspot: Client;

beforeAll(async () => {
  sims = await startTestSimulators({ SIM_SCALE_HUBSPOT_DEALS: 30 });
  hubspot = new Client({
    accessToken: simSecrets.HUBSPOT_SIM_TOKEN,
    basePath: sims.urls.hubspot,
    numberOfApiCallRetries: 0,
  });
});
afterAll(async () => {
  await sims?.close();
});

describe('official @hubspot/api-client against the HubSpot simulator', () => {
  it('lists every deal by following paging.next.after', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await hubspot.crm.deals.basicApi.getPage(10, after, ['dealname', 'amount']);
      ids.push(...page.results.map((d) => d.id));
      expect(page.results.every((d) => typeof d.properties.dealname === 'string')).toBe(true);
      after = page.paging?.next?.after;
    } while (after);
    expect(ids).toHaveLength(30);
    expect(new Set(ids).size).toBe(30);
  });

  it('reads deal→note associations in one v4 batch call and batch-reads the notes', async () => {
    const deals = await hubspot.crm.deals.basicApi.getPage(4);
    const assoc = await hubspot.crm.associations.v4.batchApi.getPage('deals', 'notes', {
      inputs: deals.results.map((d) => ({ id: d.id })),
    });
    const noteIds = assoc.results.flatMap((r) => r.to.map((t) => String(t.toObjectId)));
    expect(noteIds.length).toBeGreaterThan(0);
    const notes = await hubspot.crm.objects.notes.batchApi.read({
      inputs: noteIds.map((id) => ({ id })),
      properties: ['hs_attachment_ids', 'hs_note_body'],
      propertiesWithHistory: [],
    });
    expect(notes.results).toHaveLength(noteIds.length);
    const attachmentIds = notes.results.flatMap((n) =>
      (n.properties.hs_attachment_ids ?? '').split(';').filter(Boolean),
    );
    // The first 4 deals carry 2–4 files each.
    expect(attachmentIds.length).toBeGreaterThanOrEqual(8);
  });

  it('reads files and signed URLs, and the signed URL serves the bytes', async () => {
    const fileId = [...sims.hubspot.store.files.values()].find((f) => f.access === 'PRIVATE')!.id;
    const file = await hubspot.files.filesApi.getById(fileId);
    expect(file.id).toBe(fileId);
    expect(file.access).toBe('PRIVATE');
    const signed = await hubspot.files.filesApi.getSignedUrl(fileId, undefined, 60);
    const res = await fetch(signed.url);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(file.size);
    expect((await fetch(file.url!)).status).toBe(403);
  });

  it('rejects a wrong token with 401', async () => {
    const wrong = new Client({ accessToken: 'pat-wrong', basePath: sims.urls.hubspot, numberOfApiCallRetries: 0 });
    await expect(wrong.crm.deals.basicApi.getPage(1)).rejects.toMatchObject({ code: 401 });
  });
});
