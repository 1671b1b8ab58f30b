import type { MikroORM } from '@mikro-orm/postgresql';
import type { ConnectionConfig } from '../config/connections.js';
import type { HubSpotClient } from '../connectors/hubspot/hubspot.client.js';
import type { ZohoTokenManager } from '../connectors/zoho-accounts/token-manager.js';
import type { ZohoCrmClient } from '../connectors/zoho-crm/zoho-crm.client.js';
import type { ContentStore } from '../storage/content-store.js';

/** Hands activities ready connectors for a connection id; built once per worker process (worker/). */
export interface ConnectorRegistry {
  connection(id: string): Promise<ConnectionConfig>;
  hubspot(id: string): Promise<HubSpotClient>;
  zohoCrm(id: string): Promise<{ client: ZohoCrmClient; tokens: ZohoTokenManager }>;
}

export interface ActivityDeps {
  orm: MikroORM;
  connectors: ConnectorRegistry;
  content: ContentStore;
}
