import type { ConnectionCheckOutcome } from '../workflows/definitions.js';
import type { ConnectorRegistry } from './deps.js';
import { classified } from './failures.js';

/** Activities that call a CRM; they run on the connection's own task queue. */
export function createCrmActivities(connectors: ConnectorRegistry) {
  return classified({
    async crmCheckConnection(connectionId: string): Promise<ConnectionCheckOutcome> {
      const started = Date.now();
      const connection = await connectors.connection(connectionId);
      const outcome = await (await connectors.capability(connectionId, 'check')).check();
      return { connectionId, provider: connection.provider, ...outcome, latencyMs: Date.now() - started };
    },
  });
}
