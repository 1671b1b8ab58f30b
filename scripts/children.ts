import { type ChildProcess, spawn } from 'node:child_process';
import { SUPERVISED_ENV } from './supervision.js';

export interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
}

/**
 * Node flags of the worker process (also in `npm run worker`). Its live heap is small (activities stream and pass
 * pages), but V8 lets the old generation grow far past it before collecting: a 30k-lead pull peaked at 416 MiB
 * with only a 2 MiB young generation. With these flags a 100k-lead pull peaked at 271 MiB and the 2,000-deal file
 * sync bench at 275 MiB (284–306 before).
 */
export const WORKER_NODE_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=160', '--expose-gc'];
/**
 * Node flags of the API process (also in `npm run api`). Its live heap is small too, and an export streams a batch
 * of 5,000 rows at a time, but with V8's default limits a 1M-row CSV export peaked at 411 MiB; with these, 185 MiB.
 */
export const API_NODE_FLAGS = ['--max-semi-space-size=8', '--max-old-space-size=160'];
/**
 * The worker's environment additions (also in `npm run worker`), for glibc's allocator. It gives each thread that
 * allocates an arena of its own and keeps freed memory there; the worker has a dozen threads (Temporal's core,
 * libuv, V8). Two arenas, and blocks of 32 KiB or more (stream chunks are 64 KiB) mapped on their own so a free
 * returns them to the system. Measured with a 200 MB streamed upload (worker RSS ready / peak): defaults 254 / 368
 * MiB; two arenas 227 / 315; both settings and a collection every 16 MiB streamed (`--expose-gc`,
 * connectors/streamed-request.ts) 215 / 267. With 1,000 deals pushed at once: 461 MiB peak without these settings,
 * 376 MiB with them (100 cached workflows).
 */
export const WORKER_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '32768' };

/** Starts a TypeScript entry point under the project's Node with tsx, prefixing its output lines with its name. */
export function startChild(name: string, entry: string, env: NodeJS.ProcessEnv, nodeFlags: string[] = []): Child {
  const proc = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    env: { ...env, [SUPERVISED_ENV]: '1' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const prefix = (stream: NodeJS.WritableStream) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) stream.write(`[${name}] ${line}\n`);
  };
  proc.stdout?.on('data', prefix(process.stdout));
  proc.stderr?.on('data', prefix(process.stderr));
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
  );
  return { name, process: proc, exited };
}

/** SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: Child, graceMs = 8_000): Promise<void> {
  if (child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  const timer = setTimeout(() => child.process.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function waitForHttp(url: string, timeoutMs: number, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.status < 500) return;
    } catch {
      /* not up yet */
    }
    if (child && child.process.exitCode !== null)
      throw new Error(`${child.name} exited with code ${child.process.exitCode} before ${url} answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
