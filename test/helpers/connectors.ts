import { randomBytes } from 'node:crypto';
import { HttpClient } from '../../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../../connectors/hubspot/hubspot.client.js';
import { RateGovernor, type RateBudget } from '../../connectors/rate-governor.js';
import type { TokenStore } from '../../connectors/token-store.js';
import { ZohoAccountsClient } from '../../connectors/zoho-accounts/accounts.client.js';
import { ZohoTokenManager } from '../../connectors/zoho-accounts/token-manager.js';
import { ZohoCrmClient } from '../../connectors/zoho-crm/zoho-crm.client.js';
import { PgTokenStore } from '../../db/repositories/pg-token-store.js';
import { SecretBox } from '../../db/secret-box.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from './connections.js';
import type { MikroORM } from '@mikro-orm/postgresql';

export const testKey = randomBytes(32);
export const pgTokenStore = (orm: MikroORM) => new PgTokenStore(orm, new SecretBox(testKey));

const ROOMY: RateBudget = { maxRequests: 1000, perMs: 1000, maxConcurrent: 20 };

export function zohoTokens(
  sims: RunningSimulators,
  store: TokenStore,
  opts: { key?: string; refreshToken?: string } = {},
) {
  return new ZohoTokenManager({
    key: opts.key ?? `zoho-${randomBytes(4).toString('hex')}`,
    region: 'com',
    store,
    accounts: new ZohoAccountsClient(sims.urls.zohoAccounts),
    credentials: {
      clientId: simSecrets.ZOHO_SIM_CLIENT_ID!,
      clientSecret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
      refreshToken: opts.refreshToken ?? simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
    },
  });
}

export function zohoCrm(tokens: ZohoTokenManager, budget: RateBudget = ROOMY) {
  const http = new HttpClient({
    baseUrl: async () => `${(await tokens.getToken()).apiDomain}/crm/v8`,
    auth: tokens,
    governor: new RateGovernor(budget),
  });
  return new ZohoCrmClient(http);
}

export function hubspot(sims: RunningSimulators, token = simSecrets.HUBSPOT_SIM_TOKEN!, budget: RateBudget = ROOMY) {
  return new HubSpotClient(
    new HttpClient({ baseUrl: sims.urls.hubspot, auth: hubspotBearer(token), governor: new RateGovernor(budget) }),
  );
}
