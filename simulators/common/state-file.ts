import { mkdir, open, readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';

const FORMAT = 'crm-sync-simulator-state';
const VERSION = 1;

/** The settings a simulator's seed depended on, kept with its state to notice a later change of them. */
export type SeedSettings = Record<string, number | null>;
export interface SavedState {
  seededWith: SeedSettings | null;
  state: unknown;
}

const EnvelopeSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  simulator: z.string(),
  seededWith: z.record(z.string(), z.number().nullable()).nullable(),
  savedAt: z.string(),
  state: z.unknown(),
});

/** Base64 of a buffer that never changes (uploaded content), encoded once rather than on every save. */
const encoded = new WeakMap<Buffer, string>();
export function base64Once(content: Buffer): string {
  let text = encoded.get(content);
  if (text === undefined) encoded.set(content, (text = content.toString('base64')));
  return text;
}

/** A saved state that cannot be used. Never reseeded over silently: it stands for the data of a CRM. */
export class StateFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(
      `${path} is not a usable simulator state (${reason}). ` +
        'Start with --reset (npm run simulators -- --reset) to discard it and reseed, or move it away.',
    );
  }
}

/** The saved state of `simulator`, or undefined when there is none yet. */
export async function readStateFile(path: string, simulator: string): Promise<SavedState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(path, (err as Error).message);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new StateFileError(path, `invalid JSON: ${(err as Error).message.replace(/\s+/g, ' ')}`);
  }
  const parsed = EnvelopeSchema.safeParse(doc);
  const issue = parsed.error?.issues[0];
  if (!parsed.success)
    throw new StateFileError(path, `not a ${FORMAT} v${VERSION} file: ${issue?.path.join('.')} ${issue?.message}`);
  if (parsed.data.simulator !== simulator)
    throw new StateFileError(path, `it holds the ${parsed.data.simulator} simulator, not ${simulator}`);
  return parsed.data;
}

/**
 * Saves a simulator's state after changes: coalesced (a burst of writes costs one save), at most every
 * `minIntervalMs`, and never more than ~10 % of the time — the pause after a save grows with how long the last
 * serialization took, so a 100k-lead store is saved every few seconds under load instead of stalling every request.
 * Each save goes to a temporary file that is renamed over the old one: a crash leaves the old state or the new.
 */
export class StateWriter {
  private dirty = false;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private lastSerializeMs = 0;

  constructor(
    readonly path: string,
    readonly simulator: string,
    private readonly saved: () => SavedState,
    private readonly minIntervalMs = 200,
  ) {}

  markDirty(): void {
    this.dirty = true;
    if (this.timer || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush().catch((err: Error) => console.error(`simulators: could not save ${this.path}: ${err.message}`));
      },
      Math.max(this.minIntervalMs, this.lastSerializeMs * 10),
    );
    this.timer.unref();
  }

  /** Saves now if anything changed since the last save, after any save under way. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing) await this.writing.catch(() => undefined);
    if (!this.dirty) return;
    this.dirty = false;
    this.writing = this.write()
      .catch((err: unknown) => {
        this.dirty = true;
        throw err;
      })
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async write(): Promise<void> {
    const started = performance.now();
    const { seededWith, state } = this.saved();
    // `state` last, so `head` on the file shows what it is.
    const savedAt = new Date().toISOString();
    const text = JSON.stringify({
      format: FORMAT,
      version: VERSION,
      simulator: this.simulator,
      seededWith,
      savedAt,
      state,
    });
    this.lastSerializeMs = performance.now() - started;
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.${process.pid}.tmp`;
    const file = await open(tmp, 'w');
    try {
      await file.writeFile(text);
      await file.datasync();
    } finally {
      await file.close();
    }
    await rename(tmp, this.path);
  }
}

/**
 * Marks the state dirty after every request that may change it (any method but GET/HEAD/OPTIONS, less `reads`:
 * POST routes that only read). Every change a running simulator sees arrives over HTTP, so this catches every
 * mutation path — including admin endpoints that edit the stores' maps directly — without each write site having
 * to remember it. It listens for the response's `close`, which (unlike `onResponse`) also fires when a `drop-after`
 * fault cuts the connection after the handler ran. Requests an earlier hook answered (auth, injected faults) never
 * reach this hook and change nothing.
 */
export function markDirtyOnWrites(app: FastifyInstance, writer: StateWriter, reads?: RegExp): void {
  app.addHook('onRequest', async (req, reply) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' || reads?.test(req.url)) return;
    reply.raw.once('close', () => writer.markDirty());
  });
}
