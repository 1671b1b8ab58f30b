import { describe, expect, it } from 'vitest';
import { ConnectionSchema } from '../../config/connections.js';
import type { TokenStore } from '../../connectors/token-store.js';
import { PROVIDER_CAPABILITIES, PROVIDERS } from '../../domain/providers.js';
import { registeredCapabilities } from '../../worker/providers.js';

// Building capabilities makes no call: a token store that is never used is enough.
const tokenStore: TokenStore = {
  get: async () => undefined,
  withLock: async () => {
    throw new Error('no token is minted while building');
  },
};
const env = { T: 'secret', CID: 'id', CS: 'cs', RT: 'rt', KEY: 'key' };
const connections = {
  hubspot: { id: 'hs', provider: 'hubspot', credentials: { accessToken: { env: 'T' } } },
  'zoho-crm': {
    id: 'z',
    provider: 'zoho-crm',
    credentials: { clientId: { env: 'CID' }, clientSecret: { env: 'CS' }, refreshToken: { env: 'RT' } },
  },
  'zoho-workdrive': {
    id: 'wd',
    provider: 'zoho-workdrive',
    credentials: { clientId: { env: 'CID' }, clientSecret: { env: 'CS' }, refreshToken: { env: 'RT' } },
  },
  'dtools-si': { id: 'si', provider: 'dtools-si', credentials: { apiKey: { env: 'KEY' } } },
};

describe('provider registration (worker/providers.ts)', () => {
  it.each(PROVIDERS)('%s builds exactly the capabilities domain/providers.ts promises', (provider) => {
    const config = ConnectionSchema.parse(connections[provider]);
    expect(registeredCapabilities(config, { env, tokenStore })).toEqual([...PROVIDER_CAPABILITIES[provider]].sort());
  });
});
