/**
 * Children of `npm start` get a stdin pipe from the supervisor; when it closes (the supervisor died, even by
 * SIGKILL) the child stops itself instead of lingering on its ports.
 */
export const SUPERVISED_ENV = 'CRM_SYNC_SUPERVISED';

export function stopWhenSupervisorExits(stop: (reason: string) => void): void {
  if (process.env[SUPERVISED_ENV] !== '1') return;
  process.stdin.on('end', () => stop('supervisor exited'));
  process.stdin.on('close', () => stop('supervisor exited'));
  process.stdin.resume();
}

/** For the supervisor itself: npm and sh do not always pass SIGTERM on, so notice being orphaned. */
export function stopWhenOrphaned(stop: () => void, intervalMs = 500): void {
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop();
  }, intervalMs).unref();
}
