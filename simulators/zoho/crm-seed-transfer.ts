import { type FileExt, fileName } from '../common/files.js';
import { hash32, Rng } from '../common/rng.js';
import { WORKDRIVE_SEED_DUPLICATE, WORKDRIVE_SEED_PEOPLE, workdriveSeedPeople } from '../zoho-workdrive/wd-seed.js';
import type { ZohoCrmStore } from './crm-store.js';

/**
 * The people of the WorkDrive transfer (issue 11): Contacts in org A (with their attachments) and the same names in
 * org B, named after the WorkDrive seed's person folders (WORKDRIVE_SEED_PEOPLE), except:
 * - TRANSFER_OTHER_CASE: the folder `Katherine Johnson`, written in other letter case;
 * - TRANSFER_NO_FOLDER: a name no seeded folder has;
 * - WORKDRIVE_SEED_DUPLICATE (`Grace Hopper`): two folders of that name;
 * - the last seeded folder (`Shafi Goldwasser`) has no contact.
 */
export const TRANSFER_OTHER_CASE = 'katherine johnson';
export const TRANSFER_NO_FOLDER = 'Mary Jackson';
export const TRANSFER_DUPLICATE = WORKDRIVE_SEED_DUPLICATE;
export const TRANSFER_PEOPLE: readonly string[] = [
  ...WORKDRIVE_SEED_PEOPLE.slice(0, 10),
  TRANSFER_NO_FOLDER,
  ...WORKDRIVE_SEED_PEOPLE.slice(10, 19),
].map((name) => (name.toLowerCase() === TRANSFER_OTHER_CASE ? TRANSFER_OTHER_CASE : name));

/**
 * A scaled transfer seed (SIM_SCALE_TRANSFER_*, for benchmarks). Everything unset is the default seed above, byte for
 * byte; anything set draws the contacts of `transferPeople` (names of WorkDrive person folders, every one with a
 * folder) with `filesPerRecord` attachments (unset: 1–4) of `minBytes`–`maxBytes` (unset: 10 KB–5 MB), evenly.
 */
export interface TransferSeedOptions {
  records?: number;
  filesPerRecord?: number;
  minBytes?: number;
  maxBytes?: number;
  /** One more contact, last, holding a single attachment of this many bytes. */
  largeFileBytes?: number;
}

const isDefault = (o: TransferSeedOptions) => Object.values(o).every((v) => v === undefined);

/**
 * The names of the transfer contacts, in org A and org B alike: TRANSFER_PEOPLE, or the first `records` WorkDrive
 * person folders; then the large-file contact, named after the next person folder.
 */
export function transferPeople(o: TransferSeedOptions = {}): string[] {
  const people = o.records === undefined ? [...TRANSFER_PEOPLE] : workdriveSeedPeople(o.records);
  if (o.largeFileBytes === undefined) return people;
  const n = o.records ?? TRANSFER_PEOPLE.length;
  return [...people, workdriveSeedPeople(n + 1)[n]!];
}

/** Person folders WorkDrive must seed so every scaled transfer contact has one (at least `configured`). */
export function transferFolderCount(o: TransferSeedOptions, configured: number): number {
  if (o.records === undefined && o.largeFileBytes === undefined) return configured;
  return Math.max(configured, (o.records ?? TRANSFER_PEOPLE.length) + (o.largeFileBytes === undefined ? 0 : 1));
}

/** Index in TRANSFER_PEOPLE of the people with no attachment in org A: every fourth (3, 7, 11, 15, 19). */
export const transferHasNoFiles = (index: number) => index % 4 === 3;
/** The smallest and largest seeded sizes: the first file of the first person, the first of the duplicate. */
export const TRANSFER_MIN_BYTES = 10 * 1024;
export const TRANSFER_MAX_BYTES = 5 * 1024 * 1024;
/** Sizes are drawn again (small) once the total would pass this, so the seed stays modest. */
const BUDGET_BYTES = 36 * 1024 * 1024;

const BASE = Date.UTC(2026, 4, 1);
const DAY = 86_400_000;
const EXTS: FileExt[] = ['pdf', 'docx', 'xlsx', 'png', 'jpg', 'txt', 'csv'];

/** `John von Neumann` → First_Name `John`, Last_Name `von Neumann`. */
function split(name: string): { First_Name: string; Last_Name: string } {
  const at = name.indexOf(' ');
  return { First_Name: name.slice(0, at), Last_Name: name.slice(at + 1) };
}

const email = (name: string) => `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@transfer.example`;

/**
 * Org A's transfer contacts: `Name` (the full name the transfer reads), `Transfer_Complete` false, and 1–4
 * attachments of 10 KB–5 MB each (none for transferHasNoFiles), bytes generated from their key (nothing stored).
 * From a generator of its own, after the rest of the seed, so the other records keep their ids and values.
 */
export function seedTransferContactsA(store: ZohoCrmStore, seed: number, opts: TransferSeedOptions = {}): void {
  if (!isDefault(opts)) return seedScaledContactsA(store, seed, opts);
  const rng = new Rng(hash32(`zoho-transfer-a:${seed}`));
  let total = 0;
  TRANSFER_PEOPLE.forEach((name, i) => {
    const created = BASE - rng.int(30, 120) * DAY + rng.int(0, DAY / 1000) * 1000;
    const contact = store.create(
      'Contacts',
      { ...split(name), Name: name, Email: email(name), Transfer_Complete: false },
      created,
    );
    const files = transferHasNoFiles(i) ? 0 : rng.int(1, 4);
    for (let f = 0; f < files; f++) {
      const small = () => rng.int(10, 512) * 1024;
      let size = rng.bool(0.15) ? rng.int(1024, 5120) * 1024 : small();
      if (f === 0 && i === 0) size = TRANSFER_MIN_BYTES;
      if (f === 0 && name === TRANSFER_DUPLICATE) size = TRANSFER_MAX_BYTES;
      if (total + size > BUDGET_BYTES) size = small();
      total += size;
      addAttachment(store, rng, seed, contact, created, size);
    }
  });
}

function addAttachment(
  store: ZohoCrmStore,
  rng: Rng,
  seed: number,
  contact: { id: string },
  created: number,
  size: number,
): void {
  const ext = rng.pick(EXTS);
  const id = store.nextId();
  const at = created + rng.int(1, 20) * DAY;
  store.attachments.set(id, {
    id,
    parentModule: 'Contacts',
    parentId: contact.id,
    fileName: fileName(rng, ext),
    ext,
    size,
    createdAt: at,
    modifiedAt: at,
    contentKey: `zoho-transfer:${seed}:${id}`,
  });
}

/** The scaled seed: no edge cases, no total budget; the large-file contact comes last, so the others do not move. */
function seedScaledContactsA(store: ZohoCrmStore, seed: number, o: TransferSeedOptions): void {
  const rng = new Rng(hash32(`zoho-transfer-a:${seed}`));
  const a = o.minBytes ?? Math.min(TRANSFER_MIN_BYTES, o.maxBytes ?? TRANSFER_MIN_BYTES);
  const b = o.maxBytes ?? Math.max(TRANSFER_MAX_BYTES, o.minBytes ?? TRANSFER_MAX_BYTES);
  const [min, max] = [Math.min(a, b), Math.max(a, b)];
  const people = transferPeople(o);
  people.forEach((name, i) => {
    const created = BASE - rng.int(30, 120) * DAY + rng.int(0, DAY / 1000) * 1000;
    const contact = store.create(
      'Contacts',
      { ...split(name), Name: name, Email: email(name), Transfer_Complete: false },
      created,
    );
    if (o.largeFileBytes !== undefined && i === people.length - 1)
      return addAttachment(store, rng, seed, contact, created, o.largeFileBytes);
    const files = o.filesPerRecord ?? rng.int(1, 4);
    for (let f = 0; f < files; f++) addAttachment(store, rng, seed, contact, created, rng.int(min, max));
  });
}

/** Org B: the same names, with the fields the transfer fills in (WorkDrive_URL, WorkDrive_Folder_ID, …) empty. */
export function seedZohoCrmOrgB(store: ZohoCrmStore, seed: number, opts: TransferSeedOptions = {}): void {
  const rng = new Rng(hash32(`zoho-transfer-b:${seed}`));
  for (const name of transferPeople(opts)) {
    store.create(
      'Contacts',
      {
        ...split(name),
        Name: name,
        Email: email(name),
        WorkDrive_URL: null,
        WorkDrive_Folder_ID: null,
        Record_Updated_From: null,
      },
      BASE - rng.int(1, 90) * DAY + rng.int(0, DAY / 1000) * 1000,
    );
  }
}
