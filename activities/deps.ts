import type { MikroORM } from '@mikro-orm/postgresql';
import type { ConnectionConfig } from '../config/connections.js';
import type { Capabilities } from '../connectors/capabilities.js';
import type { CapabilityName } from '../domain/providers.js';
import type { ContentStore } from '../storage/content-store.js';

/**
 * Hands activities a connection's settings and its capabilities (connectors/capabilities.ts); built once per
 * worker process (worker/). An unknown connection or a provider without the capability throws the domain errors
 * of domain/errors.ts.
 */
export interface ConnectorRegistry {
  connection(id: string): Promise<ConnectionConfig>;
  capability<K extends CapabilityName>(id: string, name: K): Promise<Capabilities[K]>;
}

export interface ActivityDeps {
  orm: MikroORM;
  connectors: ConnectorRegistry;
  content: ContentStore;
}
