import { Context } from '@temporalio/activity';

/**
 * Heartbeats every few seconds while `fn` runs, so a worker that dies mid-call is noticed within the heartbeat
 * timeout instead of the much longer start-to-close timeout. Only for activities that keep no checkpoint in
 * their heartbeat details (it sends none).
 */
export async function keepAlive<T>(fn: () => Promise<T>, everyMs = 5_000): Promise<T> {
  const ctx = Context.current();
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await fn();
  } finally {
    clearInterval(timer);
  }
}
