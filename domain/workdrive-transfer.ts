/** The WorkDrive transfer's rules: which folder a record goes to, what an upload is called, how a record ended. */

export interface FolderCandidate {
  id: string;
  name: string;
  modifiedMs: number | null;
}

/**
 * The folder named like the record, ignoring case; of several, the most recently modified (then the smallest id,
 * so the choice is stable). Null when none: a transfer never creates a folder.
 */
export function matchFolder<F extends FolderCandidate>(recordName: string, folders: F[]): F | null {
  const wanted = recordName.toLowerCase();
  const named = folders.filter((f) => f.name.toLowerCase() === wanted);
  named.sort((a, b) => (b.modifiedMs ?? -1) - (a.modifiedMs ?? -1) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return named[0] ?? null;
}

/** `YYYYMMDD_HHMMSS` of `at` in an IANA time zone (the existing script stamps local time). */
export function timestamp(at: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}${parts.month}${parts.day}_${parts.hour}${parts.minute}${parts.second}`;
}

/** `report.final.pdf` → `report.final_<stamp>.pdf`; a name without an extension (or a dot file) gets it at the end. */
export function stampedName(fileName: string, stamp: string, suffix = ''): string {
  const dot = fileName.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [fileName.slice(0, dot), fileName.slice(dot)] : [fileName, ''];
  return `${stem}_${stamp}${suffix}${ext}`;
}

/**
 * The name an attachment gets in the folder: its own, or when the folder holds that name already (ignoring case,
 * as the drive does), `name_YYYYMMDD_HHMMSS.ext`, then `_2`, `_3`… should that be taken too.
 */
export function uploadName(fileName: string, taken: ReadonlySet<string>, stamp: string): string {
  const free = (n: string) => !taken.has(n.toLowerCase());
  if (free(fileName)) return fileName;
  for (let i = 1; ; i += 1) {
    const candidate = stampedName(fileName, stamp, i === 1 ? '' : `_${i}`);
    if (free(candidate)) return candidate;
  }
}

export type FileOutcome = 'uploaded' | 'renamed' | 'already-there' | 'failed' | 'planned';
export type RecordState = 'done' | 'partial' | 'failed' | 'skipped' | 'planned';
export const RECORD_STATES: readonly RecordState[] = ['done', 'partial', 'failed', 'skipped', 'planned'];

export interface RecordTally {
  folderFound: boolean;
  /** The destination record's fields are as they should be (written now or already). */
  fieldsOk: boolean;
  dryRun: boolean;
  files: Array<{ outcome: FileOutcome }>;
}

/**
 * How a record ended. `skipped`: no folder of its name. `failed`: nothing is in the folder and something went wrong.
 * `partial`: some files are in the folder but not all, or the destination record could not be written. `done`:
 * every attachment is in the folder (none is done too) and the fields are written.
 */
export function recordState(t: RecordTally): RecordState {
  if (!t.folderFound) return 'skipped';
  if (t.dryRun) return 'planned';
  const inFolder = t.files.filter((f) => f.outcome !== 'failed' && f.outcome !== 'planned').length;
  const failed = t.files.filter((f) => f.outcome === 'failed').length;
  if (failed === 0 && t.fieldsOk) return 'done';
  return inFolder > 0 ? 'partial' : 'failed';
}

/** The checkbox is ticked when at least one attachment is in the folder (uploaded now or by an earlier run). */
export const shouldTick = (files: Array<{ outcome: FileOutcome }>): boolean =>
  files.some((f) => f.outcome === 'uploaded' || f.outcome === 'renamed' || f.outcome === 'already-there');
