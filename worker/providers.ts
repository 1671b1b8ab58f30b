import { budgetOf, type ConnectionConfig, type Provider, resolveSecrets } from '../config/connections.js';
import type { Capabilities } from '../connectors/capabilities.js';
import { HttpClient } from '../connectors/http.js';
import { HubSpotClient, hubspotBearer } from '../connectors/hubspot/hubspot.client.js';
import { hubspotCheck, HubSpotDealFiles } from '../connectors/hubspot/hubspot.deal-files.js';
import { RateGovernor } from '../connectors/rate-governor.js';
import type { TokenStore } from '../connectors/token-store.js';
import { ZohoAccountsClient } from '../connectors/zoho-accounts/accounts.client.js';
import { ZOHO_ACCOUNTS_SERVERS } from '../connectors/zoho-accounts/data-centres.js';
import { ZohoTokenManager } from '../connectors/zoho-accounts/token-manager.js';
import { ZohoCrmClient } from '../connectors/zoho-crm/zoho-crm.client.js';
import { zohoCheck, ZohoDealFiles } from '../connectors/zoho-crm/zoho-crm.deal-files.js';
import { ZohoLeads } from '../connectors/zoho-crm/zoho-crm.leads.js';
import { ZohoDeals } from '../connectors/zoho-crm/zoho-crm.deals.js';
import { ZohoModuleRecords } from '../connectors/zoho-crm/zoho-crm.records.js';
import { ZohoExtract } from '../connectors/zoho-crm/zoho-crm.extract.js';
import { HubSpotExtract } from '../connectors/hubspot/hubspot.extract.js';
import { DtoolsSiClient, dtoolsApiKey } from '../connectors/dtools-si/dtools-si.client.js';
import { dtoolsCheck, DtoolsProjects } from '../connectors/dtools-si/dtools-si.projects.js';
import { WORKDRIVE_DOWNLOAD_HOSTS, WorkdriveClient } from '../connectors/zoho-workdrive/workdrive.client.js';
import { workdriveCheck, WorkdriveFolders } from '../connectors/zoho-workdrive/workdrive.folders.js';
import { type CapabilitiesOf, PROVIDER_CAPABILITIES } from '../domain/providers.js';

const USER_AGENT = 'crm-sync/0.1';

/** What building a connection's connectors needs from the worker: secrets from its environment, shared token store. */
export interface BuildContext {
  env: Record<string, string | undefined>;
  tokenStore: TokenStore;
}

/** Exactly the capabilities domain/providers.ts promises for a provider. */
type Built<P extends Provider> = { [K in CapabilitiesOf<P>]: Capabilities[K] };
type Factory<P extends Provider> = (c: ConnectionConfig & { provider: P }, ctx: BuildContext) => Built<P>;

/**
 * The one registration of every provider: how a connection's capabilities are built. One rate governor per
 * connection, shared by all its capabilities, so a connection's budget holds whatever job uses it.
 */
export const PROVIDER_FACTORIES: { [P in Provider]: Factory<P> } = {
  hubspot: (c, { env }) => {
    const secrets = resolveSecrets(c, env);
    const client = new HubSpotClient(
      new HttpClient({
        baseUrl: c.baseUrls.api,
        governor: new RateGovernor(budgetOf(c)),
        auth: hubspotBearer(secrets.accessToken!),
        userAgent: USER_AGENT,
      }),
    );
    const searchCap = Number(c.options.searchResultCap ?? 0) || undefined;
    return {
      check: hubspotCheck(client),
      dealFiles: new HubSpotDealFiles(client, searchCap),
      extract: new HubSpotExtract(client, searchCap),
    };
  },
  'zoho-crm': (c, ctx) => {
    const tokens = zohoTokens(c, ctx);
    const apiOverride = c.baseUrls.api;
    // ⚠ The CRM base URL comes from the token response's api_domain (crm-apis.md 6.2), unless overridden.
    const baseUrl = async () => `${apiOverride ?? (await tokens.getToken()).apiDomain}/crm/v8`;
    const client = new ZohoCrmClient(
      new HttpClient({ baseUrl, governor: new RateGovernor(budgetOf(c)), auth: tokens, userAgent: USER_AGENT }),
    );
    return {
      check: zohoCheck(client, tokens),
      dealFiles: new ZohoDealFiles(client),
      leads: new ZohoLeads(client),
      deals: new ZohoDeals(client),
      records: new ZohoModuleRecords(client),
      extract: new ZohoExtract(client),
    };
  },
  'zoho-workdrive': (c, ctx) => {
    const tokens = zohoTokens(c, ctx);
    const apiOverride = c.baseUrls.api;
    // ⚠ Like the CRM's, WorkDrive's base URL is the token's api_domain (crm-apis.md 3); bytes come from another host.
    const baseUrl = async () => `${apiOverride ?? (await tokens.getToken()).apiDomain}/workdrive/api/v1`;
    const client = new WorkdriveClient({
      baseUrl,
      downloadBaseUrl: c.baseUrls.download ?? WORKDRIVE_DOWNLOAD_HOSTS[c.region],
      governor: new RateGovernor(budgetOf(c)),
      auth: tokens,
      userAgent: USER_AGENT,
    });
    return {
      check: workdriveCheck(client, tokens),
      folders: new WorkdriveFolders(client, { pageSize: c.options.pageSize }),
    };
  },
  'dtools-si': (c, { env }) => {
    const secrets = resolveSecrets(c, env);
    const client = new DtoolsSiClient({
      baseUrl: c.baseUrls.api,
      governor: new RateGovernor(budgetOf(c)),
      auth: dtoolsApiKey(secrets.apiKey!),
      userAgent: USER_AGENT,
    });
    return { check: dtoolsCheck(client), projects: new DtoolsProjects(client) };
  },
};

/** Zoho CRM and WorkDrive mint tokens alike: one manager per connection, its tokens cached under the connection id. */
function zohoTokens(
  c: ConnectionConfig & { provider: 'zoho-crm' | 'zoho-workdrive' },
  { env, tokenStore }: BuildContext,
): ZohoTokenManager {
  const secrets = resolveSecrets(c, env);
  return new ZohoTokenManager({
    key: c.id,
    region: c.region,
    store: tokenStore,
    accounts: new ZohoAccountsClient(c.baseUrls.accounts ?? ZOHO_ACCOUNTS_SERVERS[c.region]),
    credentials: {
      clientId: secrets.clientId!,
      clientSecret: secrets.clientSecret!,
      refreshToken: secrets.refreshToken!,
    },
  });
}

/** Builds a connection's capabilities with its provider's factory. */
export function buildCapabilities(c: ConnectionConfig, ctx: BuildContext): Partial<Capabilities> {
  return (PROVIDER_FACTORIES[c.provider] as Factory<Provider>)(c as never, ctx);
}

/** Holds the registration and the table in domain/providers.ts together at run time too (tests call it). */
export function registeredCapabilities(c: ConnectionConfig, ctx: BuildContext): string[] {
  const built = Object.keys(buildCapabilities(c, ctx)).sort();
  const promised = [...PROVIDER_CAPABILITIES[c.provider]].sort();
  if (built.join() !== promised.join())
    throw new Error(`provider ${c.provider} builds ${built.join(', ')} but promises ${promised.join(', ')}`);
  return built;
}
