import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import {
  markDirtyOnWrites,
  readStateFile,
  type SavedState,
  type SeedSettings,
  StateFileError,
  StateWriter,
} from './common/state-file.js';

export const SIMULATOR_NAMES = [
  'hubspot',
  'zoho-accounts',
  'zoho-crm',
  'zoho-b-accounts',
  'zoho-b-crm',
  'dtools-si',
  'zoho-workdrive',
] as const;
export type SimulatorName = (typeof SIMULATOR_NAMES)[number];

/** One simulator's data as persistence sees it. */
export interface StatefulSimulator {
  /** Names the file `<dir>/<name>.json` and the simulator in messages. */
  name: SimulatorName;
  app: FastifyInstance;
  /** What the seed depends on; null when nothing is seeded (Zoho Accounts starts without tokens). */
  seedSettings: SeedSettings | null;
  snapshot(): unknown;
  /** Validates (throws on a bad shape) and replaces the data. */
  restore(state: unknown): void;
  /** Clears and seeds from scratch. */
  reseed(): void;
  /** Counts for the start-up line, e.g. `25 leads, 5 deals`. */
  summary(): string;
  /** POST routes that only read (searches, batch reads, COQL): they cost no save. */
  reads?: RegExp;
  /** For data that changes outside a request (D-Tools' timed imports): the listener has it saved. */
  onChange?(listener: () => void): void;
}

export interface StateReport {
  /** Undefined: in memory only. */
  dir?: string;
  loaded: Array<{ name: SimulatorName; summary: string }>;
  seeded: SimulatorName[];
  /** One line per simulator whose saved data was seeded with other settings than the current ones. */
  notes: string[];
}

export interface AttachedState {
  report: StateReport;
  /** Saves what was seeded; called once the servers listen, so a start that fails writes nothing. */
  saveSeeded(): Promise<void>;
  /** Saves any unsaved change; after the servers stopped. */
  close(): Promise<void>;
}

/**
 * Loads each simulator's saved data from `dir`, or seeds it when there is none (or on `reset`); saves after
 * changes; adds `POST /__admin/reset-state` (back to the seed, saved before it answers). Without `dir` every
 * start is a fresh seed and nothing is written. Not saved, on purpose: rate-limit windows, stats and fault rules —
 * they belong to one run, and a restart that clears a 429 window or a test's faults is what a developer expects.
 */
export async function attachState(
  sims: StatefulSimulator[],
  dir?: string,
  opts: { reset?: boolean } = {},
): Promise<AttachedState> {
  const report: StateReport = { dir, loaded: [], seeded: [], notes: [] };
  const seededWith = new Map<SimulatorName, SeedSettings | null>();
  // Every saved file is read and checked before anything is seeded: a bad file stops the start cleanly.
  for (const sim of sims) {
    const saved = dir && !opts.reset ? await restoreSaved(sim, join(dir, `${sim.name}.json`), report) : undefined;
    if (saved) seededWith.set(sim.name, saved.seededWith);
  }
  const writers: StateWriter[] = [];
  const seeded: StateWriter[] = [];
  for (const sim of sims) {
    const saved = () => ({ seededWith: seededWith.get(sim.name) ?? null, state: sim.snapshot() });
    const writer = dir ? new StateWriter(join(dir, `${sim.name}.json`), sim.name, saved) : undefined;
    if (!seededWith.has(sim.name)) {
      sim.reseed();
      seededWith.set(sim.name, sim.seedSettings);
      report.seeded.push(sim.name);
      if (writer) seeded.push(writer);
    }
    if (writer) {
      markDirtyOnWrites(sim.app, writer, sim.reads);
      sim.onChange?.(() => writer.markDirty());
      writers.push(writer);
    }
    sim.app.post('/__admin/reset-state', async () => {
      sim.reseed();
      seededWith.set(sim.name, sim.seedSettings);
      writer?.markDirty();
      await writer?.flush();
      return { simulator: sim.name, seededWith: sim.seedSettings, summary: sim.summary() };
    });
  }
  return {
    report,
    saveSeeded: async () => {
      seeded.forEach((w) => w.markDirty());
      await Promise.all(seeded.map((w) => w.flush()));
    },
    close: async () => {
      await Promise.all(writers.map((w) => w.close()));
    },
  };
}

/** Restores `sim` from its file, if there is one, and reports what was loaded. */
async function restoreSaved(
  sim: StatefulSimulator,
  path: string,
  report: StateReport,
): Promise<SavedState | undefined> {
  const saved = await readStateFile(path, sim.name);
  if (!saved) return undefined;
  try {
    sim.restore(saved.state);
  } catch (err) {
    const issue = err instanceof ZodError ? err.issues[0] : undefined;
    throw new StateFileError(path, issue ? `state.${issue.path.join('.')}: ${issue.message}` : (err as Error).message);
  }
  report.loaded.push({ name: sim.name, summary: sim.summary() });
  const changed = settingChanges(saved.seededWith, sim.seedSettings);
  if (changed) {
    report.notes.push(
      `simulators: ${sim.name} keeps its saved data, seeded with other settings (${changed}); ` +
        'to reseed: npm run simulators -- --reset (stack stopped) or POST /__admin/reset-state',
    );
  }
  return saved;
}

/** Deletes the saved data of every simulator in `dir` (and temporary files a crash left), nothing else there. */
export async function removeState(dir: string): Promise<void> {
  const ours = new RegExp(`^(${SIMULATOR_NAMES.join('|')})\\.json(\\.\\d+\\.tmp)?$`);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await Promise.all(entries.filter((e) => ours.test(e)).map((e) => rm(join(dir, e), { force: true })));
}

/** The start-up lines: what was loaded or seeded, then any notes. */
export function describeState(report: StateReport, seed: number): string[] {
  if (!report.dir) return [`simulators: in memory, seeded (seed ${seed}); nothing is saved`];
  const loaded = report.loaded.map((l) => `${l.name}: ${l.summary}`).join('; ');
  const line =
    report.loaded.length === 0
      ? `simulators: seeded (seed ${seed}) into ${report.dir}`
      : report.seeded.length === 0
        ? `simulators: state loaded from ${report.dir} (${loaded})`
        : `simulators: state loaded from ${report.dir} (${loaded}); seeded afresh (seed ${seed}): ${report.seeded.join(', ')}`;
  return [line, ...report.notes];
}

function settingChanges(was: SeedSettings | null, now: SeedSettings | null): string | undefined {
  if (!was || !now) return undefined;
  const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].filter(
    (k) => (was[k] ?? null) !== (now[k] ?? null),
  );
  return keys.length ? keys.map((k) => `${k}=${was[k] ?? 'unset'}, now ${now[k] ?? 'unset'}`).join('; ') : undefined;
}
