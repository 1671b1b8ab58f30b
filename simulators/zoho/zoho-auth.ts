import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export interface ZohoAuthConfig {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  tokenTtlSec: number;
  /** Zoho mints at most this many tokens per refresh token per window (crm-apis.md 1.4). */
  mintLimit: number;
  mintWindowMs: number;
  /** Zoho reportedly answers token errors with 200 as often as 400. */
  errorStatus: 200 | 400;
}

/** Saved across restarts, so a token cached before one keeps working until it expires, as with real Zoho. */
const ZohoAuthSnapshotSchema = z.object({
  tokens: z.array(z.tuple([z.string(), z.number()])),
  mints: z.array(z.number()),
  mintCount: z.number().int().min(0),
});
export type ZohoAuthSnapshot = z.infer<typeof ZohoAuthSnapshotSchema>;
export const parseZohoAuthSnapshot = (state: unknown): ZohoAuthSnapshot => ZohoAuthSnapshotSchema.parse(state);

/** Access tokens shared by the Accounts and CRM simulators of one Zoho org. */
export class ZohoAuthRegistry {
  private readonly tokens = new Map<string, number>();
  private mints: number[] = [];
  mintCount = 0;

  constructor(readonly config: ZohoAuthConfig) {}

  /** Returns undefined when the mint throttle is hit. */
  mint(now = Date.now()): { token: string; expiresInSec: number } | undefined {
    this.mints = this.mints.filter((t) => now - t < this.config.mintWindowMs);
    if (this.mints.length >= this.config.mintLimit) return undefined;
    this.mints.push(now);
    this.mintCount += 1;
    const token = `1000.sim.${randomBytes(12).toString('hex')}`;
    this.tokens.set(token, now + this.config.tokenTtlSec * 1000);
    return { token, expiresInSec: this.config.tokenTtlSec };
  }

  isValid(token: string, now = Date.now()): boolean {
    const exp = this.tokens.get(token);
    return exp !== undefined && exp > now;
  }

  /** Fault: every issued token stops working before its announced expiry. */
  expireAll(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }

  reset(): void {
    this.tokens.clear();
    this.mints = [];
    this.mintCount = 0;
  }

  /** Expired tokens are left out: they could never be valid again. */
  toSnapshot(now = Date.now()): ZohoAuthSnapshot {
    return { tokens: [...this.tokens].filter(([, exp]) => exp > now), mints: this.mints, mintCount: this.mintCount };
  }

  restore(s: ZohoAuthSnapshot): void {
    this.reset();
    for (const [token, exp] of s.tokens) this.tokens.set(token, exp);
    this.mints = s.mints;
    this.mintCount = s.mintCount;
  }

  /** Tokens that still work (for the start-up line). */
  liveTokens(now = Date.now()): number {
    return [...this.tokens.values()].filter((exp) => exp > now).length;
  }
}
