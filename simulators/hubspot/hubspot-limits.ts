import type { FastifyReply, FastifyRequest } from 'fastify';
import { rateLimitBody } from './hubspot-errors.js';

export interface HubSpotLimitsConfig {
  per10s: number;
  daily: number;
  searchPerSecond: number;
}

/** HubSpot's burst (10 s rolling), daily and search (per second) limits, with the X-HubSpot-RateLimit-* headers. */
export class HubSpotLimiter {
  private window: number[] = [];
  private searchWindow: number[] = [];
  private dayStart = Date.now();
  private dayCount = 0;
  readonly stats = { requests: 0, rejected429: 0 };

  constructor(readonly config: HubSpotLimitsConfig) {}

  /** Returns true when the request may proceed; otherwise the 429 has been sent. */
  admit(req: FastifyRequest, reply: FastifyReply): boolean {
    const now = Date.now();
    this.stats.requests += 1;
    if (now - this.dayStart >= 86_400_000) {
      this.dayStart = now;
      this.dayCount = 0;
    }
    this.window = this.window.filter((t) => now - t < 10_000);
    const isSearch = req.method === 'POST' && /\/search$/.test(req.url.split('?')[0]!);
    if (isSearch) this.searchWindow = this.searchWindow.filter((t) => now - t < 1_000);
    const remaining = Math.max(0, this.config.per10s - this.window.length - 1);
    reply
      .header('x-hubspot-ratelimit-daily', String(this.config.daily))
      .header('x-hubspot-ratelimit-daily-remaining', String(Math.max(0, this.config.daily - this.dayCount - 1)))
      .header('x-hubspot-ratelimit-interval-milliseconds', '10000')
      .header('x-hubspot-ratelimit-max', String(this.config.per10s))
      .header('x-hubspot-ratelimit-remaining', String(remaining))
      .header('x-hubspot-ratelimit-secondly', String(Math.ceil(this.config.per10s / 10)))
      .header(
        'x-hubspot-ratelimit-secondly-remaining',
        String(Math.max(0, Math.ceil(this.config.per10s / 10) - this.window.filter((t) => now - t < 1000).length - 1)),
      );
    let policy: 'TEN_SECONDLY_ROLLING' | 'SECONDLY' | 'DAILY' | undefined;
    if (this.dayCount >= this.config.daily) policy = 'DAILY';
    else if (this.window.length >= this.config.per10s) policy = 'TEN_SECONDLY_ROLLING';
    else if (isSearch && this.searchWindow.length >= this.config.searchPerSecond) policy = 'SECONDLY';
    if (policy) {
      this.stats.rejected429 += 1;
      void reply.code(429).send(rateLimitBody(policy));
      return false;
    }
    this.window.push(now);
    if (isSearch) this.searchWindow.push(now);
    this.dayCount += 1;
    return true;
  }

  reset(): void {
    this.window = [];
    this.searchWindow = [];
    this.dayCount = 0;
    this.stats.requests = 0;
    this.stats.rejected429 = 0;
  }
}
