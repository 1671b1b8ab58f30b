import { RateLimitedError } from './errors.js';

export interface RateBudget {
  /** Requests allowed in any rolling window of `perMs`. */
  maxRequests: number;
  perMs: number;
  /** Requests in flight at once. */
  maxConcurrent: number;
  /** Requests allowed per 24 h in this process; undefined = unlimited. */
  dailyLimit?: number;
}

export interface GovernorStats {
  started: number;
  waitedMs: number;
  inFlight: number;
  pausedUntil: number;
}

/** Time as the governor sees it: real by default; tests pass a manual clock and step through windows exactly. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}
export const systemClock: Clock = { now: () => Date.now(), sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms)) };
const DAY_MS = 86_400_000;

/**
 * Keeps one connection's calls inside its budget in this process: a rolling-window limiter for the request rate
 * and a semaphore for concurrency. It only delays; it never retries (that is Temporal's job).
 *
 * Why a rolling window and not a token bucket: HubSpot counts requests in a rolling 10 s window. A bucket of 190
 * refilling at 19/s lets 190 + 171 calls through in the first 10 s and earns 429s; a log of the last
 * `maxRequests` start times never exceeds the provider's own count.
 */
export class RateGovernor {
  /** Start times of recent calls, oldest first; at most `maxRequests` entries. */
  private readonly starts: number[] = [];
  private inFlight = 0;
  private readonly slotWaiters: Array<() => void> = [];
  private tokenChain: Promise<void> = Promise.resolve();
  private pausedUntil = 0;
  private dayStart: number;
  private dayCount = 0;
  private readonly stats = { started: 0, waitedMs: 0 };

  /**
   * The provider counts a request when it arrives, we when it leaves: a call sent exactly one window after the
   * oldest can still land inside the provider's window. The window is stretched by 1 % plus 100 ms to absorb it.
   */
  private readonly windowMs: number;

  constructor(
    private readonly budget: RateBudget,
    private readonly clock: Clock = systemClock,
  ) {
    this.windowMs = Math.ceil(budget.perMs * 1.01) + 100;
    this.dayStart = clock.now();
  }

  private now(): number {
    return this.clock.now();
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = this.now();
    this.countDaily();
    await this.acquireSlot();
    try {
      await this.acquireToken();
      this.stats.started += 1;
      this.stats.waitedMs += this.now() - t0;
      return await fn();
    } finally {
      this.releaseSlot();
    }
  }

  /** Called when the provider answered 429: no new request starts before `ms` have passed. */
  pauseFor(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  snapshot(): GovernorStats {
    return { ...this.stats, inFlight: this.inFlight, pausedUntil: this.pausedUntil };
  }

  private countDaily(): void {
    if (this.budget.dailyLimit === undefined) return;
    if (this.now() - this.dayStart >= DAY_MS) {
      this.dayStart = this.now();
      this.dayCount = 0;
    }
    if (this.dayCount >= this.budget.dailyLimit) {
      throw new RateLimitedError(`daily budget of ${this.budget.dailyLimit} requests used up`, {
        code: 'DAILY_BUDGET',
        retryAfterMs: this.dayStart + DAY_MS - this.now(),
        exhausted: true,
      });
    }
    this.dayCount += 1;
  }

  private async acquireSlot(): Promise<void> {
    if (this.inFlight < this.budget.maxConcurrent) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
  }

  private releaseSlot(): void {
    const next = this.slotWaiters.shift();
    if (next)
      next(); // the slot passes straight to the next waiter
    else this.inFlight -= 1;
  }

  /** Start slots are handed out strictly in arrival order through one promise chain. */
  private acquireToken(): Promise<void> {
    const turn = this.tokenChain.then(() => this.takeToken());
    this.tokenChain = turn.catch(() => undefined);
    return turn;
  }

  private async takeToken(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await this.clock.sleep(this.pausedUntil - now);
        continue;
      }
      while (this.starts.length > 0 && this.starts[0]! <= now - this.windowMs) this.starts.shift();
      if (this.starts.length < this.budget.maxRequests) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0]! + this.windowMs - now + 1);
    }
  }
}
