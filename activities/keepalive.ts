import { Context } from '@temporalio/activity';

/**
 * Heartbeats every few seconds while `fn` runs, so a worker that dies mid-call is noticed within the heartbeat
 * timeout instead of the much longer start-to-close timeout. Without `progress` it sends no details; an activity
 * that checkpoints its own progress in the heartbeat passes it here, or the keep-alive would overwrite it.
 */
export async function keepAlive<T>(fn: () => Promise<T>, progress?: () => unknown, everyMs = 5_000): Promise<T> {
  const ctx = Context.current();
  const beat = () => ctx.heartbeat(progress?.());
  beat();
  const timer = setInterval(beat, everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}

/**
 * What earlier attempts of this activity did, as they last reported it: counts carried across a retry, so a run
 * reports the writes an attempt made before it failed (the retry finds them done and would count nothing).
 */
export function carriedProgress<T extends object>(zero: T): T {
  const prior = Context.current().info.heartbeatDetails as Partial<T> | undefined;
  return { ...zero, ...(prior && typeof prior === 'object' ? prior : {}) };
}

/** Reports progress now (throttled by the SDK; the last report is sent even when the attempt then fails). */
export function reportProgress(progress: unknown): void {
  Context.current().heartbeat(progress);
}
