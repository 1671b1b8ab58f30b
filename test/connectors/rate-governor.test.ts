import { describe, expect, it } from 'vitest';
import { RateLimitedError } from '../../connectors/errors.js';
import { RateGovernor } from '../../connectors/rate-governor.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** Starts `n` calls that record the clock's time when the governor lets them start, and hold for `holdMs`. */
function start(g: RateGovernor, clock: ManualClock, n: number, holdMs = 0) {
  const starts: number[] = [];
  const done = Promise.all(
    Array.from({ length: n }, () =>
      g.run(async () => {
        starts.push(clock.now());
        if (holdMs) await clock.sleep(holdMs);
      }),
    ),
  );
  return { starts, done };
}

describe('RateGovernor (manual clock)', () => {
  it('never starts more than maxRequests within any rolling window, the window stretched by 1 % + 100 ms', async () => {
    const clock = new ManualClock();
    const g = new RateGovernor({ maxRequests: 4, perMs: 300, maxConcurrent: 10 }, clock);
    const { starts, done } = start(g, clock, 12);
    await clock.advance(2_000);
    await done;
    // Window = ceil(300 * 1.01) + 100 = 403 ms; the next batch starts 1 ms after the oldest start leaves it.
    expect(starts).toEqual([0, 0, 0, 0, 404, 404, 404, 404, 808, 808, 808, 808]);
  });

  it('keeps in-flight calls at or below maxConcurrent, handing each freed slot to the next caller at once', async () => {
    const clock = new ManualClock();
    const g = new RateGovernor({ maxRequests: 1000, perMs: 1000, maxConcurrent: 3 }, clock);
    const { starts, done } = start(g, clock, 7, 20);
    await clock.advance(100);
    await done;
    expect(starts).toEqual([0, 0, 0, 20, 20, 20, 40]);
    expect(g.snapshot().inFlight).toBe(0);
  });

  it('releases the slot when a call throws', async () => {
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 1 }, new ManualClock());
    await expect(
      g.run(async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await expect(g.run(async () => 'ok')).resolves.toBe('ok');
    expect(g.snapshot()).toMatchObject({ started: 2, inFlight: 0 });
  });

  it('holds every new call until a pause (a 429 Retry-After) is over, and counts the wait', async () => {
    const clock = new ManualClock();
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 5 }, clock);
    await clock.advance(50);
    g.pauseFor(200);
    const { starts, done } = start(g, clock, 2);
    await clock.advance(199);
    expect(starts).toEqual([]);
    await clock.advance(1);
    await done;
    expect(starts).toEqual([250, 250]);
    expect(g.snapshot().waitedMs).toBe(400);
  });

  it('refuses calls beyond the daily limit without waiting, saying when the day ends, and starts afresh a day later', async () => {
    const clock = new ManualClock();
    const g = new RateGovernor({ maxRequests: 100, perMs: 1000, maxConcurrent: 5, dailyLimit: 2 }, clock);
    await g.run(async () => undefined);
    await g.run(async () => undefined);
    await clock.advance(3_600_000);
    const err = await g.run(async () => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ exhausted: true, code: 'DAILY_BUDGET', retryAfterMs: 86_400_000 - 3_600_000 });
    await clock.advance(86_400_000 - 3_600_000);
    await expect(g.run(async () => 'again')).resolves.toBe('again');
  });
});
