import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../connectors/errors.js';
import { RateGovernor } from '../../connectors/rate-governor.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('RateGovernor', () => {
  it('never starts more than maxRequests within any rolling window', async () => {
    const g = new RateGovernor({ maxRequests: 4, perMs: 300, maxConcurrent: 10 });
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 12 }, () => g.run(async () => { starts.push(performance.now()); })));
    starts.sort((a, b) => a - b);
    // The 5th start must come a full window after the 1st, and so on; without the limiter all 12 start at once.
    for (let i = 0; i + 4 < starts.length; i++) expect(starts[i + 4]! - starts[i]!).toBeGreaterThanOrEqual(299);
  });

  it('keeps in-flight calls at or below maxConcurrent', async () => {
    const g = new RateGovernor({ maxRequests: 1000, perMs: 1000, maxConcurrent: 3 });
    let inFlight = 0;
    let peak = 0;
    await Promise.all(Array.from({ length: 15 }, () => g.run(async () => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep(20);
      inFlight -= 1;
    })));
    expect(peak).toBe(3);
  });

  it('releases the slot when a call throws', async () => {
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 1 });
    await expect(g.run(async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    await expect(g.run(async () => 'ok')).resolves.toBe('ok');
  });

  it('holds every new call after pauseFor (a 429 Retry-After)', async () => {
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 5 });
    const t0 = Date.now();
    g.pauseFor(200);
    await g.run(async () => undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
  });

  it('refuses calls beyond the daily limit without waiting', async () => {
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 5, dailyLimit: 2 });
    await g.run(async () => undefined);
    await g.run(async () => undefined);
    const err = await g.run(async () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).exhausted).toBe(true);
  });
});
