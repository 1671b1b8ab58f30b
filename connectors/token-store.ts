/** An OAuth access token as cached for every worker of a connection. */
export interface CachedToken {
  accessToken: string;
  /** Base URL for API calls, from the token response (Zoho `api_domain`). */
  apiDomain: string;
  expiresAt: Date;
}

/**
 * Where access tokens are cached. The Postgres implementation (db/) shares them across workers; connectors see
 * only this interface, so they never import db/.
 */
export interface TokenStore {
  get(key: string): Promise<CachedToken | undefined>;
  /** Runs `fn` under an exclusive lock held across processes; `fn` gets the freshest stored token and returns the one to keep. */
  withLock(key: string, fn: (current: CachedToken | undefined) => Promise<CachedToken>): Promise<CachedToken>;
}
