import type { ConnectionCheckOutcome } from '../workflows/definitions.js';
import type { ConnectorRegistry } from './deps.js';
import { classified } from './failures.js';

/** Activities that call a CRM; they run on the connection's own task queue. */
export function createCrmActivities(connectors: ConnectorRegistry) {
  return classified({
    async crmCheckConnection(connectionId: string): Promise<ConnectionCheckOutcome> {
      const started = Date.now();
      const connection = await connectors.connection(connectionId);
      switch (connection.provider) {
        case 'hubspot': {
          await (await connectors.hubspot(connectionId)).probe();
          return { connectionId, provider: connection.provider, verified: 'bearer token: 1-record deals read', latencyMs: Date.now() - started };
        }
        case 'zoho-crm': {
          const { client, tokens } = await connectors.zohoCrm(connectionId);
          const before = tokens.refreshes;
          await tokens.getToken();
          await client.probe();
          return {
            connectionId, provider: connection.provider, verified: 'OAuth token + 1-record Leads read',
            tokenRefreshed: tokens.refreshes > before, latencyMs: Date.now() - started,
          };
        }
        default:
          throw new Error(`connection checks for ${connection.provider} are not implemented yet`);
      }
    },
  });
}
