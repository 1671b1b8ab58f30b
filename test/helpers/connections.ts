import { randomBytes } from 'node:crypto';
import type { ConnectionConfig } from '../../config/connections.js';
import { simulatorDefaults } from '../../simulators/config.js';
import type { RunningSimulators } from '../../simulators/index.js';

const SIM = simulatorDefaults();

/** Secrets as a worker's environment would hold them, for connections made by the factories below. */
export const simSecrets: Record<string, string> = {
  HUBSPOT_SIM_TOKEN: SIM.HUBSPOT_SIM_TOKEN,
  ZOHO_SIM_CLIENT_ID: SIM.ZOHO_SIM_CLIENT_ID,
  ZOHO_SIM_CLIENT_SECRET: SIM.ZOHO_SIM_CLIENT_SECRET,
  ZOHO_SIM_REFRESH_TOKEN: SIM.ZOHO_SIM_REFRESH_TOKEN,
  ZOHO_SIM_B_CLIENT_ID: SIM.ZOHO_SIM_B_CLIENT_ID,
  ZOHO_SIM_B_CLIENT_SECRET: SIM.ZOHO_SIM_B_CLIENT_SECRET,
  ZOHO_SIM_B_REFRESH_TOKEN: SIM.ZOHO_SIM_B_REFRESH_TOKEN,
  WRONG_HUBSPOT_TOKEN: 'pat-sim-not-the-right-token',
  WRONG_ZOHO_REFRESH_TOKEN: '1000.not-a-refresh-token',
  DTOOLS_SIM_API_KEY: SIM.DTOOLS_SIM_API_KEY,
  WRONG_DTOOLS_API_KEY: 'dtsi-not-the-right-key',
};

/** Connection ids are unique per file: all files share one Temporal server and its `crm.<id>` queues. */
export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString('hex')}`;

export function hubspotConnection(
  sims: RunningSimulators,
  opts: { id?: string; tokenEnv?: string } = {},
): ConnectionConfig {
  return {
    id: opts.id ?? uniqueId('hs'),
    provider: 'hubspot',
    baseUrls: { api: sims.urls.hubspot },
    credentials: { accessToken: { env: opts.tokenEnv ?? 'HUBSPOT_SIM_TOKEN' } },
    options: {},
    budget: { maxRequests: 190, perMs: 10_000, maxConcurrent: 10 },
  };
}

export function zohoConnection(
  sims: RunningSimulators,
  opts: { id?: string; refreshTokenEnv?: string; org?: 'a' | 'b' } = {},
): ConnectionConfig {
  // Org B has its own Accounts simulator and credentials (ZOHO_SIM_B_*); its tokens point at org B's CRM.
  const b = opts.org === 'b';
  const env = b ? 'ZOHO_SIM_B' : 'ZOHO_SIM';
  return {
    id: opts.id ?? uniqueId(b ? 'zoho-b' : 'zoho'),
    provider: 'zoho-crm',
    region: 'com',
    baseUrls: { accounts: b ? sims.urls.zohoBAccounts : sims.urls.zohoAccounts },
    credentials: {
      clientId: { env: `${env}_CLIENT_ID` },
      clientSecret: { env: `${env}_CLIENT_SECRET` },
      refreshToken: { env: opts.refreshTokenEnv ?? `${env}_REFRESH_TOKEN` },
    },
    options: {},
    budget: { maxRequests: 100, perMs: 10_000, maxConcurrent: 10 },
  };
}

export function dtoolsConnection(
  sims: RunningSimulators,
  opts: { id?: string; keyEnv?: string } = {},
): ConnectionConfig {
  return {
    id: opts.id ?? uniqueId('si'),
    provider: 'dtools-si',
    baseUrls: { api: `${sims.urls.dtoolsSi}/si` },
    credentials: { apiKey: { env: opts.keyEnv ?? 'DTOOLS_SIM_API_KEY' } },
    options: {},
    budget: { maxRequests: 120, perMs: 60_000, maxConcurrent: 4 },
  };
}

/** WorkDrive on its simulator, with tokens from org B's Zoho Accounts simulator (org B's client credentials). */
export function workdriveConnection(
  sims: RunningSimulators,
  opts: { id?: string; refreshTokenEnv?: string; pageSize?: number } = {},
): ConnectionConfig {
  return {
    id: opts.id ?? uniqueId('wd'),
    provider: 'zoho-workdrive',
    region: 'com',
    // The accounts simulator's api_domain is org B's CRM simulator: WorkDrive's host is set here.
    baseUrls: { accounts: sims.urls.zohoBAccounts, api: sims.urls.workdrive, download: sims.urls.workdrive },
    credentials: {
      clientId: { env: 'ZOHO_SIM_B_CLIENT_ID' },
      clientSecret: { env: 'ZOHO_SIM_B_CLIENT_SECRET' },
      refreshToken: { env: opts.refreshTokenEnv ?? 'ZOHO_SIM_B_REFRESH_TOKEN' },
    },
    options: opts.pageSize ? { pageSize: opts.pageSize } : {},
    budget: { maxRequests: 300, perMs: 60_000, maxConcurrent: 4 },
  };
}

/** Zoho CRM of org B (its own Accounts simulator and credentials): the WorkDrive transfer's destination CRM. */
export const zohoBConnection = (sims: RunningSimulators, opts: { id?: string } = {}): ConnectionConfig =>
  zohoConnection(sims, { ...opts, org: 'b' });
