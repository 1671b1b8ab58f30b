import type { MikroORM } from '@mikro-orm/postgresql';
import type { ConnectionConfig } from '../config/connections.js';
import type { Capabilities } from '../connectors/capabilities.js';
import type { TokenStore } from '../connectors/token-store.js';
import type { ConnectorRegistry } from '../activities/deps.js';
import { ConnectionsRepository, toConnectionConfig } from '../db/repositories/connections.repository.js';
import { requireCapable, WrongProviderError } from '../domain/errors.js';
import type { CapabilityName } from '../domain/providers.js';
import { buildCapabilities } from './providers.js';

/**
 * Builds each connection's connectors once per process (worker/providers.ts): one rate governor per connection,
 * shared by every activity of this worker, and secrets resolved from this process's environment only.
 */
export class DbConnectorRegistry implements ConnectorRegistry {
  private readonly built = new Map<string, Partial<Capabilities>>();

  constructor(
    private readonly orm: MikroORM,
    private readonly tokenStore: TokenStore,
    private readonly env: Record<string, string | undefined> = process.env,
  ) {}

  async connection(id: string): Promise<ConnectionConfig> {
    const row = requireCapable(id, await new ConnectionsRepository(this.orm.em.fork()).get(id));
    return toConnectionConfig(row);
  }

  async capability<K extends CapabilityName>(id: string, name: K): Promise<Capabilities[K]> {
    let built = this.built.get(id);
    if (!built) {
      built = buildCapabilities(await this.connection(id), { env: this.env, tokenStore: this.tokenStore });
      this.built.set(id, built);
    }
    const capability = built[name];
    if (!capability) throw new WrongProviderError(id, (await this.connection(id)).provider, name);
    return capability;
  }
}
