import type { MikroORM } from '@mikro-orm/postgresql';
import { budgetOf, type ConnectionConfig, resolveSecrets } from '../config/connections.js';
import { NotFoundError } from '../connectors/errors.js';
import { HttpClient } from '../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../connectors/hubspot/hubspot.client.js';
import { RateGovernor } from '../connectors/rate-governor.js';
import type { TokenStore } from '../connectors/token-store.js';
import { ZohoAccountsClient } from '../connectors/zoho-accounts/accounts.client.js';
import { ZOHO_ACCOUNTS_SERVERS } from '../connectors/zoho-accounts/data-centres.js';
import { ZohoTokenManager } from '../connectors/zoho-accounts/token-manager.js';
import { ZohoCrmClient } from '../connectors/zoho-crm/zoho-crm.client.js';
import type { ConnectorRegistry } from '../activities/deps.js';
import { ConnectionsRepository, toConnectionConfig } from '../db/repositories/connections.repository.js';

const USER_AGENT = 'crm-sync/0.1';

/**
 * Builds each connection's connectors once per process: one rate governor per connection, shared by every
 * activity of this worker, and secrets resolved from this process's environment only.
 */
export class DbConnectorRegistry implements ConnectorRegistry {
  private readonly governors = new Map<string, RateGovernor>();
  private readonly hubspots = new Map<string, HubSpotClient>();
  private readonly zohos = new Map<string, { client: ZohoCrmClient; tokens: ZohoTokenManager }>();

  constructor(private readonly orm: MikroORM, private readonly tokenStore: TokenStore, private readonly env: Record<string, string | undefined> = process.env) {}

  async connection(id: string): Promise<ConnectionConfig> {
    const row = await new ConnectionsRepository(this.orm.em.fork()).get(id);
    if (!row) throw new NotFoundError(`connection "${id}" does not exist`, { code: 'UNKNOWN_CONNECTION' });
    return toConnectionConfig(row);
  }

  async hubspot(id: string): Promise<HubSpotClient> {
    const cached = this.hubspots.get(id);
    if (cached) return cached;
    const c = await this.connection(id);
    if (c.provider !== 'hubspot') throw new NotFoundError(`connection "${id}" is ${c.provider}, not hubspot`, { code: 'WRONG_PROVIDER' });
    const secrets = resolveSecrets(c, this.env);
    const client = new HubSpotClient(new HttpClient({
      baseUrl: c.baseUrls.api, governor: this.governor(c), auth: hubspotBearer(secrets.accessToken!), userAgent: USER_AGENT,
    }));
    this.hubspots.set(id, client);
    return client;
  }

  async zohoCrm(id: string): Promise<{ client: ZohoCrmClient; tokens: ZohoTokenManager }> {
    const cached = this.zohos.get(id);
    if (cached) return cached;
    const c = await this.connection(id);
    if (c.provider !== 'zoho-crm') throw new NotFoundError(`connection "${id}" is ${c.provider}, not zoho-crm`, { code: 'WRONG_PROVIDER' });
    const secrets = resolveSecrets(c, this.env);
    const tokens = new ZohoTokenManager({
      key: c.id, region: c.region, store: this.tokenStore,
      accounts: new ZohoAccountsClient(c.baseUrls.accounts ?? ZOHO_ACCOUNTS_SERVERS[c.region]),
      credentials: { clientId: secrets.clientId!, clientSecret: secrets.clientSecret!, refreshToken: secrets.refreshToken! },
    });
    const apiOverride = c.baseUrls.api;
    // ⚠ The CRM base URL comes from the token response's api_domain (crm-apis.md 6.2), unless overridden.
    const baseUrl = async () => `${apiOverride ?? (await tokens.getToken()).apiDomain}/crm/v8`;
    const client = new ZohoCrmClient(new HttpClient({ baseUrl, governor: this.governor(c), auth: tokens, userAgent: USER_AGENT }));
    const entry = { client, tokens };
    this.zohos.set(id, entry);
    return entry;
  }

  private governor(c: ConnectionConfig): RateGovernor {
    let g = this.governors.get(c.id);
    if (!g) { g = new RateGovernor(budgetOf(c)); this.governors.set(c.id, g); }
    return g;
  }
}
