import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, RateLimitedError } from '../../connectors/errors.js';
import { ZohoAccountsClient } from '../../connectors/zoho-accounts/accounts.client.js';
import { ZOHO_ACCOUNTS_SERVERS } from '../../connectors/zoho-accounts/data-centres.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { pgTokenStore, zohoTokens } from '../helpers/connectors.js';
import { simSecrets, uniqueId } from '../helpers/connections.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';

let sims: RunningSimulators;
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators({ SIM_ZOHO_MINTS_PER_10_MIN: 10 });
});
afterAll(async () => {
  await sims?.close();
  await db?.close();
});

const creds = () => ({
  clientId: simSecrets.ZOHO_SIM_CLIENT_ID!,
  clientSecret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
  refreshToken: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
});

describe('Zoho OAuth token manager', () => {
  it('20 concurrent callers on a cold cache, each with its own manager as separate workers would have, cause exactly one refresh', async () => {
    const key = uniqueId('zoho');
    const store = pgTokenStore(db.orm);
    const before = sims.zoho.auth.mintCount;
    const tokens = await Promise.all(Array.from({ length: 20 }, () => zohoTokens(sims, store, { key }).getToken()));
    expect(sims.zoho.auth.mintCount - before).toBe(1);
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(tokens[0]!.apiDomain).toBe(sims.urls.zohoCrm);
  });

  it('reuses the token cached in Postgres instead of minting again', async () => {
    const key = uniqueId('zoho');
    const store = pgTokenStore(db.orm);
    await zohoTokens(sims, store, { key }).getToken();
    const before = sims.zoho.auth.mintCount;
    await zohoTokens(sims, store, { key }).getToken();
    expect(sims.zoho.auth.mintCount).toBe(before);
  });

  it('stores the access token encrypted at rest', async () => {
    const key = uniqueId('zoho');
    const token = await zohoTokens(sims, pgTokenStore(db.orm), { key }).getToken();
    const rows = await db.orm.em
      .fork()
      .getConnection()
      .execute<Array<{ access_token_enc: string }>>(
        'select access_token_enc from oauth_tokens where connection_id = ?',
        [key],
      );
    expect(rows[0]!.access_token_enc).toMatch(/^v1:/);
    expect(rows[0]!.access_token_enc).not.toContain(token.accessToken);
  });

  it('quirk 1: an {"error":"invalid_code"} body with HTTP 200 is an AuthError', async () => {
    expect(sims.zoho.auth.config.errorStatus).toBe(200);
    const res = await fetch(
      `${sims.urls.zohoAccounts}/oauth/v2/token?grant_type=refresh_token&client_id=${encodeURIComponent(simSecrets.ZOHO_SIM_CLIENT_ID!)}&client_secret=x&refresh_token=y`,
      { method: 'POST' },
    );
    expect(res.status).toBe(200);
    const accounts = new ZohoAccountsClient(sims.urls.zohoAccounts);
    const err = await accounts.refreshAccessToken({ ...creds(), refreshToken: 'wrong' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as AuthError).code).toBe('invalid_code');
    await expect(accounts.refreshAccessToken({ ...creds(), clientId: 'unknown' })).rejects.toMatchObject({
      code: 'invalid_client',
    });
  });

  it('quirk 1: more than 10 mints in 10 minutes is throttled ("Access Denied") and classified as rate-limited', async () => {
    const accounts = new ZohoAccountsClient(sims.urls.zohoAccounts);
    const results = [];
    for (let i = 0; i < 11; i++) results.push(await accounts.refreshAccessToken(creds()).catch((e: unknown) => e));
    const throttled = results.filter((r) => r instanceof RateLimitedError);
    expect(throttled.length).toBeGreaterThan(0);
    expect((throttled[0] as RateLimitedError).code).toBe('TOKEN_THROTTLED');
    sims.zoho.auth.reset();
  });

  it('quirk 2: knows every data centre, with Canada on zohocloud.ca', () => {
    expect(Object.keys(ZOHO_ACCOUNTS_SERVERS).sort()).toEqual([
      'ca',
      'com',
      'com.au',
      'com.cn',
      'eu',
      'in',
      'jp',
      'sa',
    ]);
    expect(ZOHO_ACCOUNTS_SERVERS.ca).toBe('https://accounts.zohocloud.ca');
  });

  it('refreshes at least 60 s before expiry', async () => {
    const key = uniqueId('zoho');
    const store = pgTokenStore(db.orm);
    const first = await zohoTokens(sims, store, { key }).getToken();
    // Pretend the cached token expires in 59 s: the next caller must mint a new one.
    await store.withLock(key, async () => ({ ...first, expiresAt: new Date(Date.now() + 59_000) }));
    const second = await zohoTokens(sims, store, { key }).getToken();
    expect(second.accessToken).not.toBe(first.accessToken);
  });
});
