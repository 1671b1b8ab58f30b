import { HttpClient } from '../../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../../connectors/hubspot/hubspot.client.js';
import { RateGovernor } from '../../connectors/rate-governor.js';
import type { CachedToken, TokenStore } from '../../connectors/token-store.js';
import { ZohoAccountsClient } from '../../connectors/zoho-accounts/accounts.client.js';
import { ZohoTokenManager } from '../../connectors/zoho-accounts/token-manager.js';
import { ZohoCrmClient } from '../../connectors/zoho-crm/zoho-crm.client.js';
import { FREE_PORTS, simulatorDefaults } from '../../simulators/config.js';
import { startSimulators } from '../../simulators/index.js';

/**
 * `npm run bench -- connectors`: connector throughput against simulators that enforce the real budgets. Prints figures; asserts
 * nothing (targets live here, never in timed tests). BENCH_LEADS / BENCH_DEALS scale the data.
 */
const LEADS = Number(process.env.BENCH_LEADS ?? 20_000);
const HS_DEALS = Number(process.env.BENCH_DEALS ?? 2_000);
const sim = simulatorDefaults({
  ...FREE_PORTS,
  SIM_SCALE_LEADS: LEADS,
  SIM_SCALE_HUBSPOT_DEALS: HS_DEALS,
  SIM_ZOHO_LATENCY_MS: 5,
});
const sims = await startSimulators(sim);
let peakRss = process.memoryUsage().rss;
const rssTimer = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 50);

/** Process-local store: the bench measures connectors, not Postgres. */
class MemoryTokenStore implements TokenStore {
  private token?: CachedToken;
  async get(): Promise<CachedToken | undefined> {
    return this.token;
  }
  async withLock(_key: string, fn: (c: CachedToken | undefined) => Promise<CachedToken>): Promise<CachedToken> {
    return (this.token = await fn(this.token));
  }
}

function report(name: string, records: number, calls: number, ms: number, extra = ''): void {
  console.log(
    `${name.padEnd(44)} ${String(records).padStart(7)} records  ${(records / (ms / 1000)).toFixed(0).padStart(7)} rec/s  ${((calls / Math.max(records, 1)) * 1000).toFixed(1).padStart(6)} calls/1k  ${(ms / 1000).toFixed(2)} s ${extra}`,
  );
}

try {
  // Zoho: every lead, 200 per call, `page` to 2,000 then `page_token`.
  const tokens = new ZohoTokenManager({
    key: 'bench',
    region: 'com',
    store: new MemoryTokenStore(),
    accounts: new ZohoAccountsClient(sims.urls.zohoAccounts),
    credentials: {
      clientId: sim.ZOHO_SIM_CLIENT_ID,
      clientSecret: sim.ZOHO_SIM_CLIENT_SECRET,
      refreshToken: sim.ZOHO_SIM_REFRESH_TOKEN,
    },
  });
  const zoho = new ZohoCrmClient(
    new HttpClient({
      baseUrl: async () => `${(await tokens.getToken()).apiDomain}/crm/v8`,
      auth: tokens,
      governor: new RateGovernor({ maxRequests: 100, perMs: 10_000, maxConcurrent: 10 }),
    }),
  );
  let t0 = performance.now();
  let calls = 0;
  let count = 0;
  let page = 1;
  let token: string | undefined;
  for (;;) {
    const res = await zoho.listRecords('Leads', {
      fields: ['Last_Name', 'Email', 'Modified_Time'],
      page: token ? undefined : page,
      pageToken: token,
      sortBy: 'id',
      sortOrder: 'asc',
    });
    calls += 1;
    count += res.records.length;
    if (!res.info?.more_records) break;
    if (page * 200 >= 2000) token = res.info.next_page_token ?? undefined;
    else page += 1;
  }
  report(
    'zoho: list all leads (budget 100/10 s)',
    count,
    calls,
    performance.now() - t0,
    `429s=${((await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { rejected429: number }).rejected429}`,
  );

  // HubSpot: deals → associations → notes → files, 100 deals per round, at the real 190/10 s budget.
  const hubspot = new HubSpotClient(
    new HttpClient({
      baseUrl: sims.urls.hubspot,
      auth: hubspotBearer(sim.HUBSPOT_SIM_TOKEN),
      governor: new RateGovernor({ maxRequests: 190, perMs: 10_000, maxConcurrent: 10 }),
    }),
  );
  t0 = performance.now();
  calls = 0;
  let deals = 0;
  let files = 0;
  let after: string | undefined;
  do {
    const pageRes = await hubspot.listObjects('deals', { after, properties: ['dealname'] });
    const assoc = await hubspot.batchReadAssociations(
      'deals',
      'notes',
      pageRes.results.map((d) => d.id),
    );
    const noteIds = [...assoc.values()].flat();
    const notes = [];
    for (let i = 0; i < noteIds.length; i += 100) {
      notes.push(...(await hubspot.batchRead('notes', noteIds.slice(i, i + 100), ['hs_attachment_ids'])));
      calls += 1;
    }
    const fileIds = notes.flatMap((n) => (n.properties.hs_attachment_ids ?? '').split(';').filter(Boolean));
    for (let i = 0; i < fileIds.length; i += 100) {
      files += (await hubspot.searchFilesByIds(fileIds.slice(i, i + 100))).length;
      calls += 1;
    }
    calls += 2;
    deals += pageRes.results.length;
    after = pageRes.nextAfter;
  } while (after);
  const hsStats = (await (await fetch(`${sims.urls.hubspot}/__admin/stats`)).json()) as { rejected429: number };
  report(
    'hubspot: deals+assoc+notes+files (190/10 s)',
    deals,
    calls,
    performance.now() - t0,
    `files=${files} 429s=${hsStats.rejected429}`,
  );
  console.log(
    `naive per-record loop for the same HubSpot work would need ≈ ${deals * 2 + files} calls (1 associations + 1 notes read per deal, 1 per file) vs ${calls}`,
  );
  console.log(`peak RSS ${(peakRss / 1024 / 1024).toFixed(0)} MiB`);
} finally {
  clearInterval(rssTimer);
  await sims.close();
}
