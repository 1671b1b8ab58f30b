import type { MikroORM } from '@mikro-orm/postgresql';
import type { CachedToken, TokenStore } from '../../connectors/token-store.js';
import { OAuthToken } from '../entities/index.js';
import type { SecretBox } from '../secret-box.js';

/**
 * Access tokens in `oauth_tokens`, encrypted, shared by every worker. Refreshes run under a transaction-scoped
 * advisory lock on the connection, so however many activities or processes find the token stale, one mints.
 */
export class PgTokenStore implements TokenStore {
  constructor(
    private readonly orm: MikroORM,
    private readonly box: SecretBox,
  ) {}

  async get(key: string): Promise<CachedToken | undefined> {
    const row = await this.orm.em.fork().findOne(OAuthToken, { connectionId: key });
    return row ? this.toCached(row) : undefined;
  }

  async withLock(key: string, fn: (current: CachedToken | undefined) => Promise<CachedToken>): Promise<CachedToken> {
    return this.orm.em.fork().transactional(async (em) => {
      await em
        .getConnection()
        .execute('select pg_advisory_xact_lock(hashtext(?))', [`oauth:${key}`], 'get', em.getTransactionContext());
      const row = await em.findOne(OAuthToken, { connectionId: key }, { refresh: true });
      const current = row ? this.toCached(row) : undefined;
      const next = await fn(current);
      if (next === current) return current;
      const values = {
        accessTokenEnc: this.box.seal(next.accessToken),
        apiDomain: next.apiDomain,
        expiresAt: next.expiresAt,
        refreshedAt: new Date(),
      };
      const minted = current?.accessToken !== next.accessToken;
      if (row) em.assign(row, { ...values, refreshCount: row.refreshCount + (minted ? 1 : 0) });
      else em.create(OAuthToken, { connectionId: key, ...values, refreshCount: 1 });
      return next;
    });
  }

  private toCached(row: OAuthToken): CachedToken | undefined {
    try {
      return { accessToken: this.box.open(row.accessTokenEnc), apiDomain: row.apiDomain, expiresAt: row.expiresAt };
    } catch {
      // Sealed with another key (TOKEN_ENCRYPTION_KEY rotated): treat as absent; the next refresh overwrites it.
      return undefined;
    }
  }
}
