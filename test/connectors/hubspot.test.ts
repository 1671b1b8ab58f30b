import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyResponse } from '../../connectors/classify.js';
import { AuthError, NotFoundError, RateLimitedError, ValidationError } from '../../connectors/errors.js';
import { HttpClient } from '../../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../../connectors/hubspot/hubspot.client.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { hubspot } from '../helpers/connectors.js';
import { simSecrets } from '../helpers/connections.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

let sims: RunningSimulators;
let client: HubSpotClient;

beforeAll(async () => {
  sims = await startTestSimulators({ SIM_SCALE_HUBSPOT_DEALS: 250, SIM_HUBSPOT_PER_10S: 1000 });
  client = hubspot(sims);
});
afterAll(async () => {
  await sims?.close();
});

describe('HubSpot connector against the simulator', () => {
  it('pages through all deals 100 at a time', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    let calls = 0;
    do {
      const page = await client.listObjects('deals', { after, properties: ['dealname'] });
      ids.push(...page.results.map((d) => d.id));
      after = page.nextAfter;
      calls += 1;
    } while (after);
    expect(new Set(ids).size).toBe(250);
    expect(calls).toBe(3);
  });

  it('follows deals → notes → files: one associations call, one notes batch, one files search', async () => {
    const deals = (await client.listObjects('deals', { limit: 4 })).results;
    const assoc = await client.batchReadAssociations(
      'deals',
      'notes',
      deals.map((d) => d.id),
    );
    const noteIds = [...assoc.values()].flat();
    const notes = await client.batchRead('notes', noteIds, ['hs_attachment_ids']);
    // ⚠ hs_attachment_ids is `;`-separated.
    const fileIds = notes.flatMap((n) => (n.properties.hs_attachment_ids ?? '').split(';').filter(Boolean));
    for (const d of deals.slice(0, 4)) {
      const perDeal = (assoc.get(d.id) ?? []).flatMap((nid) =>
        (notes.find((n) => n.id === nid)?.properties.hs_attachment_ids ?? '').split(';').filter(Boolean),
      );
      expect(perDeal.length).toBeGreaterThanOrEqual(2);
      expect(perDeal.length).toBeLessThanOrEqual(4);
    }
    const files = await client.searchFilesByIds(fileIds);
    expect(files.map((f) => f.id).sort()).toEqual([...fileIds].sort());
  });

  it('downloads a private file only through a signed URL, with the listed size', async () => {
    const file = [...sims.hubspot.store.files.values()].find((f) => f.access === 'PRIVATE')!;
    const meta = await client.getFile(file.id);
    await expect(client.download(meta.url!)).rejects.toBeInstanceOf(AuthError);
    const signed = await client.getSignedUrl(file.id, 60);
    const res = await client.download(signed.url);
    expect((await res.arrayBuffer()).byteLength).toBe(meta.size);
  });

  it('searches with filters and refuses to page past 10,000 results', async () => {
    const page = await client.searchObjects('deals', {
      filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: '0' }] }],
      sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
      limit: 200,
    });
    expect(page.total).toBe(250);
    expect(page.results).toHaveLength(200);
    await expect(client.searchObjects('deals', { limit: 100, after: '9950' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('sends the X-HubSpot-RateLimit headers the real service sends', async () => {
    const res = await fetch(`${sims.urls.hubspot}/crm/v3/objects/deals?limit=1`, {
      headers: { authorization: `Bearer ${simSecrets.HUBSPOT_SIM_TOKEN}` },
    });
    expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('1000');
    expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(res.headers.get('x-hubspot-ratelimit-remaining')).toMatch(/^\d+$/);
    expect(Number(res.headers.get('x-hubspot-ratelimit-remaining'))).toBeLessThan(1000);
    expect(res.headers.get('x-hubspot-ratelimit-daily')).toMatch(/^\d+$/);
  });

  it('maps a wrong token to AuthError and a missing object to NotFoundError', async () => {
    const wrong = new HubSpotClient(new HttpClient({ baseUrl: sims.urls.hubspot, auth: hubspotBearer('pat-wrong') }));
    await expect(wrong.probe()).rejects.toBeInstanceOf(AuthError);
    await expect(client.getObject('deals', '1')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses batches over 100 inputs before calling HubSpot', async () => {
    await expect(
      client.batchRead(
        'notes',
        Array.from({ length: 101 }, (_, i) => String(i)),
        [],
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  // These two get simulators of their own: no earlier search may sit in the simulator's per-second window.
  it("keeps searches within HubSpot's 5 per second: 8 at once all succeed, spread over more than a second", async () => {
    const own = await startTestSimulators({ SIM_SCALE_HUBSPOT_DEALS: 5 });
    try {
      const fresh = hubspot(own);
      const t0 = performance.now();
      const results = await Promise.all(
        Array.from({ length: 8 }, () => fresh.searchObjects('deals', { limit: 1 }).catch((e: unknown) => e)),
      );
      expect(results.filter((r) => r instanceof RateLimitedError)).toEqual([]);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(1000);
    } finally {
      await own.close();
    }
  });

  it('without the search budget, the simulator answers 429 SECONDLY, which means wait 1 s', async () => {
    const own = await startTestSimulators({ SIM_SCALE_HUBSPOT_DEALS: 5 });
    const raw = async () =>
      fetch(`${own.urls.hubspot}/crm/v3/objects/deals/search`, {
        method: 'POST',
        headers: { authorization: `Bearer ${simSecrets.HUBSPOT_SIM_TOKEN}`, 'content-type': 'application/json' },
        body: '{"limit":1}',
      });
    const responses = await Promise.all(Array.from({ length: 8 }, raw)).finally(() => own.close());
    const limited = responses.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    const err = classifyResponse({ status: 429, headers: limited[0]!.headers, body: await limited[0]!.json() });
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(1000);
  });

  it('maps an injected 429 with Retry-After to RateLimitedError', async () => {
    await adminPost(sims.urls.hubspot, '/__admin/faults', {
      kind: 'status',
      status: 429,
      retryAfterSec: 2,
      times: 1,
      pathPrefix: '/crm/v3/objects/deals',
    });
    const err = await client.listObjects('deals', { limit: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(2000);
  });
});

describe('HubSpot burst limit', () => {
  it('answers 429 TEN_SECONDLY_ROLLING past the 10-second budget; the connector waits 10 s', async () => {
    const tight = await startTestSimulators({ SIM_HUBSPOT_PER_10S: 5 });
    try {
      const unthrottled = new HubSpotClient(
        new HttpClient({ baseUrl: tight.urls.hubspot, auth: hubspotBearer(simSecrets.HUBSPOT_SIM_TOKEN!) }),
      );
      const results = await Promise.all(Array.from({ length: 7 }, () => unthrottled.probe().catch((e: unknown) => e)));
      const limited = results.filter((r): r is RateLimitedError => r instanceof RateLimitedError);
      expect(limited).toHaveLength(2);
      expect(limited[0]!.retryAfterMs).toBe(10_000);
    } finally {
      await tight.close();
    }
  });
});
