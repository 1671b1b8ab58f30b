import type { Clock } from '../../connectors/rate-governor.js';

/**
 * A clock that moves only when the test says so. `sleep` resolves when `advance` passes its due time, in due
 * order, with pending promise callbacks run between timers, so code that sleeps in loops sees each instant.
 */
export class ManualClock implements Clock {
  private t = 0;
  private timers: Array<{ due: number; resolve: () => void }> = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ due: this.t + Math.max(0, ms), resolve }));
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      this.timers.sort((a, b) => a.due - b.due);
      const next = this.timers[0];
      if (!next || next.due > end) break;
      this.timers.shift();
      this.t = next.due;
      next.resolve();
    }
    this.t = end;
    await settle();
  }

  get pendingTimers(): number {
    return this.timers.length;
  }
}

/** Lets queued promise callbacks run (several turns: chains of awaits need more than one). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
