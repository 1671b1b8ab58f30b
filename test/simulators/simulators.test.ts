import { afterEach, describe, expect, it } from 'vitest';
import { simulatorDefaults } from '../../simulators/config.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

const running: RunningSimulators[] = [];
const start = async (overrides: Parameters<typeof startTestSimulators>[0] = {}) => {
  const s = await startTestSimulators(overrides);
  running.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function zohoToken(s: RunningSimulators): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
    client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
    refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
  });
  const res = await fetch(`${s.urls.zohoAccounts}/oauth/v2/token`, { method: 'POST', body: form });
  return ((await res.json()) as { access_token: string }).access_token;
}

const zohoGet = (s: RunningSimulators, token: string, path: string) =>
  fetch(`${s.urls.zohoCrm}/crm/v8${path}`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });

describe('simulators', () => {
  it('serve identical data for the same seed and different data for another', async () => {
    const a = await start({ SIM_SEED: 7 });
    const b = await start({ SIM_SEED: 7 });
    const c = await start({ SIM_SEED: 8 });
    const snapshot = (s: RunningSimulators) =>
      JSON.stringify({
        zoho: [...s.zoho.store.records.get('Deals')!.values()].map((d) => [d.id, d.Deal_Name, d.Amount]),
        files: [...s.zoho.store.attachments.values()].map((f) => [f.fileName, f.size]),
        hubspot: [...s.hubspot.store.files.values()].map((f) => [f.id, f.name, f.size, f.access]),
      });
    expect(snapshot(a)).toBe(snapshot(b));
    expect(snapshot(a)).not.toBe(snapshot(c));
  });

  it('seed the brief: HubSpot 4 deals with 2–4 files, Zoho 5 deals with 1–5 files of 10–800 KB in several formats', async () => {
    const s = await start();
    const zohoDeals = [...s.zoho.store.records.get('Deals')!.values()];
    expect(zohoDeals).toHaveLength(5);
    for (const d of zohoDeals) {
      const n = s.zoho.store.attachmentsOf('Deals', d.id).length;
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(5);
    }
    // Deal files only: the WorkDrive transfer's contacts have larger ones (zoho-two-orgs.test.ts).
    const dealFiles = [...s.zoho.store.attachments.values()].filter((a) => a.parentModule === 'Deals');
    const sizes = [...dealFiles, ...s.hubspot.store.files.values()].map((f) => ('size' in f ? f.size : 0));
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(10 * 1024);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(800 * 1024);
    const exts = new Set(
      [...s.zoho.store.attachments.values()]
        .map((f) => f.ext)
        .concat([...s.hubspot.store.files.values()].map((f) => f.extension)),
    );
    expect(exts.size).toBeGreaterThanOrEqual(4);
    expect(s.hubspot.store.objects.get('deals')!.size).toBe(4);
    expect(s.zoho.store.records.get('Leads')!.size).toBe(25);
    expect(s.zoho.store.records.get('Contacts')!.size).toBeGreaterThan(0);
  });

  it('scale to large data sets for benchmarks', async () => {
    const s = await start({ SIM_SCALE_LEADS: 100_000, SIM_SCALE_DEALS: 10_000 });
    expect(s.zoho.store.records.get('Leads')!.size).toBe(100_000);
    expect(s.zoho.store.records.get('Deals')!.size).toBe(10_000);
  });

  it('Zoho enforces concurrency with 429 TOO_MANY_REQUESTS', async () => {
    const s = await start({ SIM_ZOHO_CONCURRENCY: 2, SIM_ZOHO_LATENCY_MS: 150 });
    const token = await zohoToken(s);
    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => zohoGet(s, token, '/Leads?fields=Last_Name').then((r) => r.status)),
    );
    expect(statuses.filter((x) => x === 200)).toHaveLength(2);
    expect(statuses.filter((x) => x === 429)).toHaveLength(3);
  });

  it('Zoho enforces daily credits', async () => {
    const s = await start({ SIM_ZOHO_DAILY_CREDITS: 3 });
    const token = await zohoToken(s);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await zohoGet(s, token, '/Leads?fields=Last_Name')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it('apply faults from configuration at start, and added latency from the admin endpoint', async () => {
    const s = await start({ SIM_FAULTS: JSON.stringify({ hubspot: [{ kind: 'status', status: 502, times: 1 }] }) });
    const get = () =>
      fetch(`${s.urls.hubspot}/crm/v3/objects/deals?limit=1`, {
        headers: { authorization: `Bearer ${simSecrets.HUBSPOT_SIM_TOKEN}` },
      });
    expect((await get()).status).toBe(502);
    expect((await get()).status).toBe(200);
    await adminPost(s.urls.hubspot, '/__admin/faults', { kind: 'latency', latencyMs: 250, times: 1 });
    const t0 = performance.now();
    expect((await get()).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('reject an invalid fault rule with 400 and an invalid SIM_FAULTS at startup', async () => {
    const s = await start();
    expect((await adminPost(s.urls.hubspot, '/__admin/faults', { kind: 'explode' })).status).toBe(400);
    expect(() => simulatorDefaults({ SIM_FAULTS: '{"hubspot":[{"kind":"nope"}]}' })).toThrow(/SIM_FAULTS/);
  });
});
