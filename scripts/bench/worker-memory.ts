import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** Resolves once the worker prints its "ready on" line. */
export function workerReady(worker: ChildProcess): Promise<void> {
  return new Promise((resolve) =>
    worker.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready on')) resolve();
    }),
  );
}

const statusField = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;

/**
 * Samples a process's RSS every 50 ms from now: its RSS now (`ready`), the highest sampled so far (`peak()`), and
 * the kernel's high-water mark, which includes start-up (`highWaterMark()`).
 */
export function watchRss(pid: number): { ready: number; peak(): number; highWaterMark(): number; stop(): void } {
  const ready = statusField(pid, 'VmRSS');
  let peak = ready;
  const timer = setInterval(() => {
    try {
      peak = Math.max(peak, statusField(pid, 'VmRSS'));
    } catch {
      /* exited */
    }
  }, 50);
  return { ready, peak: () => peak, highWaterMark: () => statusField(pid, 'VmHWM'), stop: () => clearInterval(timer) };
}
