import type { AuthError } from '../errors.js';
import type { AuthProvider } from '../http.js';
import type { CachedToken, TokenStore } from '../token-store.js';
import type { ZohoAccountsClient, ZohoClientCredentials } from './accounts.client.js';
import { ZOHO_API_DOMAINS, type ZohoRegion } from './data-centres.js';

export interface ZohoTokenManagerOptions {
  /** Cache key, one per connection (a refresh token's mint budget is per refresh token). */
  key: string;
  region: ZohoRegion;
  accounts: ZohoAccountsClient;
  credentials: ZohoClientCredentials;
  store: TokenStore;
  /** Refresh this long before expiry; Zoho tokens live 1 h. */
  refreshMarginMs?: number;
  now?: () => number;
  onRefresh?: (token: CachedToken) => void;
}

/**
 * Hands out a valid Zoho access token. Zoho mints at most 10 tokens per 10 minutes per refresh token
 * (crm-apis.md 1.4), so tokens are cached in the shared store and minted under a cross-worker lock; within one
 * process concurrent callers share a single in-flight refresh.
 */
export class ZohoTokenManager implements AuthProvider {
  private cached?: CachedToken;
  private inflight?: Promise<CachedToken>;
  private readonly margin: number;
  /** Tokens this manager minted (not reused from the store). */
  refreshes = 0;
  private readonly now: () => number;

  constructor(private readonly opts: ZohoTokenManagerOptions) {
    this.margin = opts.refreshMarginMs ?? 60_000;
    this.now = opts.now ?? Date.now;
  }

  async getToken(): Promise<CachedToken> {
    if (this.fresh(this.cached)) return this.cached;
    this.inflight ??= this.load(undefined).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** ⚠ Zoho wants `Zoho-oauthtoken`, not `Bearer`, although token_type says Bearer (crm-apis.md 1.3). */
  async headers(): Promise<Record<string, string>> {
    return { authorization: `Zoho-oauthtoken ${(await this.getToken()).accessToken}` };
  }

  /** After a 401, mint a new token unless another caller or worker already replaced the rejected one. */
  async onRejected(_error: AuthError, sentHeaders: Record<string, string>): Promise<boolean> {
    const rejected = sentHeaders.authorization?.replace(/^Zoho-oauthtoken /, '');
    if (!rejected) return false;
    if (this.cached?.accessToken === rejected) this.cached = undefined;
    if (this.fresh(this.cached)) return true;
    this.inflight ??= this.load(rejected).finally(() => {
      this.inflight = undefined;
    });
    await this.inflight;
    return true;
  }

  private async load(rejected: string | undefined): Promise<CachedToken> {
    const stored = await this.opts.store.get(this.opts.key);
    if (this.fresh(stored) && stored.accessToken !== rejected) return (this.cached = stored);
    const token = await this.opts.store.withLock(this.opts.key, async (current) => {
      if (this.fresh(current) && current.accessToken !== rejected) return current;
      const grant = await this.opts.accounts.refreshAccessToken(this.opts.credentials);
      const minted: CachedToken = {
        accessToken: grant.accessToken,
        apiDomain: grant.apiDomain ?? ZOHO_API_DOMAINS[this.opts.region],
        expiresAt: new Date(this.now() + grant.expiresInSec * 1000),
      };
      this.refreshes += 1;
      this.opts.onRefresh?.(minted);
      return minted;
    });
    return (this.cached = token);
  }

  private fresh(t: CachedToken | undefined): t is CachedToken {
    return t !== undefined && t.expiresAt.getTime() - this.margin > this.now();
  }
}
