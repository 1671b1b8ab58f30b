import type { FileExt } from '../common/files.js';
import { base64Once } from '../common/state-file.js';
import { API_USER } from './crm-catalogue.js';
import type { ZohoCrmSnapshot } from './crm-snapshot.js';

export type ZohoRec = Record<string, unknown> & { id: string };
type Row = ZohoRec & { _created: number; _modified: number };
const SORT_KEYS: Record<string, (r: Row) => string | number> = {
  id: (r) => r.id.padStart(24, '0'),
  Created_Time: (r) => r._created,
  Modified_Time: (r) => r._modified,
};
export const SORTABLE_FIELDS = Object.keys(SORT_KEYS);
export interface StoredAttachment {
  id: string;
  parentModule: string;
  parentId: string;
  fileName: string;
  ext: FileExt | 'bin';
  size: number;
  createdAt: number;
  modifiedAt: number;
  content?: Buffer;
  contentKey: string;
}
export interface DeletedRec {
  id: string;
  display_name: string | null;
  type: 'recycle' | 'permanent';
  deletedAt: number;
}

export const MODULES = ['Leads', 'Deals', 'Accounts', 'Contacts', 'Notes'] as const;
export type Module = (typeof MODULES)[number];

/**
 * Default mandatory fields (crm-apis.md 2.3); org layouts can change them, so they are configurable. Notes have a rule
 * of their own instead (a title or a content, crm-notes.ts).
 */
export const DEFAULT_MANDATORY: Record<Module, string[]> = {
  Leads: ['Last_Name'],
  Deals: ['Deal_Name', 'Stage'],
  Accounts: ['Account_Name'],
  Contacts: ['Last_Name'],
  Notes: [],
};
export const DEFAULT_DUPLICATE_CHECK: Record<Module, string[]> = {
  Leads: ['Email'],
  Contacts: ['Email'],
  Accounts: ['Account_Name'],
  Deals: ['Deal_Name'],
  Notes: [],
};

/** In-memory org data of the Zoho CRM simulator. Times are kept as epoch ms and rendered with the org's offset. */
export class ZohoCrmStore {
  readonly records = new Map<Module, Map<string, ZohoRec & { _created: number; _modified: number }>>();
  readonly deleted = new Map<Module, DeletedRec[]>();
  readonly attachments = new Map<string, StoredAttachment>();
  private seq = 0;
  /** Bumped by every change, so sorted views are rebuilt only after a write (lists of 100k records stay fast). */
  private version = 0;
  private readonly sortedCache = new Map<string, { version: number; rows: Row[] }>();

  /** Per store (a copy), because a test can change an org's layout at run time. */
  readonly mandatory: Record<Module, string[]>;

  constructor(
    readonly offsetMinutes: number,
    private readonly layout: Record<Module, string[]> = DEFAULT_MANDATORY,
    private readonly clock: () => number = Date.now,
    /** The first 11 of the 19 digits of every record and attachment id; another org (org B) has its own. */
    private readonly idPrefix = '57257670000',
  ) {
    this.mandatory = structuredClone(layout);
    this.clear();
  }

  /** An empty org with the layout it was created with (before seeding, or to reseed). */
  clear(): void {
    this.version += 1;
    this.seq = 0;
    Object.assign(this.mandatory, structuredClone(this.layout));
    this.attachments.clear();
    for (const m of MODULES) {
      if (this.records.has(m)) this.records.get(m)!.clear();
      else this.records.set(m, new Map());
      this.deleted.set(m, []);
    }
  }

  /** What is saved across restarts: records, deleted-record log, attachments (uploaded bytes too), `seq`, layout. */
  toSnapshot(): ZohoCrmSnapshot {
    return {
      seq: this.seq,
      mandatory: this.mandatory,
      records: Object.fromEntries(MODULES.map((m) => [m, [...this.records.get(m)!.values()]])),
      deleted: Object.fromEntries(MODULES.map((m) => [m, this.deleted.get(m)!])),
      attachments: [...this.attachments.values()].map(({ content, ...a }) =>
        content ? { ...a, content: base64Once(content) } : a,
      ),
    };
  }

  restore(snapshot: ZohoCrmSnapshot): void {
    this.clear();
    this.seq = snapshot.seq;
    Object.assign(this.mandatory, snapshot.mandatory);
    for (const m of MODULES) {
      const rows = this.records.get(m)!;
      for (const r of snapshot.records[m] ?? []) rows.set(r.id, r);
      this.deleted.set(m, snapshot.deleted[m] ?? []);
    }
    for (const { content, ...a } of snapshot.attachments) {
      this.attachments.set(a.id, content === undefined ? a : { ...a, content: Buffer.from(content, 'base64') });
    }
  }

  now(): number {
    return this.clock();
  }

  /** ⚠ 19-digit ids, beyond JS safe integers (crm-apis.md 6.6). */
  nextId(): string {
    this.seq += 1;
    return `${this.idPrefix}${String(this.seq).padStart(8, '0')}`;
  }

  /** ⚠ ISO-8601 with the org's numeric offset and no millis (crm-apis.md 2.3). */
  formatTime(ms: number): string {
    const local = new Date(Math.floor(ms / 1000) * 1000 + this.offsetMinutes * 60_000);
    const sign = this.offsetMinutes >= 0 ? '+' : '-';
    const abs = Math.abs(this.offsetMinutes);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${local.toISOString().slice(0, 19)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  }

  /** A module's records in ascending order of `sortBy` (ties by id); cached until the next change. */
  sorted(module: Module, sortBy: string): Row[] {
    const cacheKey = `${module}:${sortBy}`;
    const hit = this.sortedCache.get(cacheKey);
    if (hit?.version === this.version) return hit.rows;
    const key = SORT_KEYS[sortBy]!;
    const rows = [...this.records.get(module)!.values()]
      .map((r) => ({ r, k: key(r) }))
      .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.r.id < b.r.id ? -1 : a.r.id > b.r.id ? 1 : 0))
      .map((x) => x.r);
    this.sortedCache.set(cacheKey, { version: this.version, rows });
    return rows;
  }

  module(name: string): Map<string, ZohoRec & { _created: number; _modified: number }> | undefined {
    return this.records.get(name as Module);
  }

  create(
    module: Module,
    fields: Record<string, unknown>,
    at = this.now(),
  ): ZohoRec & { _created: number; _modified: number } {
    this.version += 1;
    const rec = {
      Owner: API_USER,
      ...fields,
      id: this.nextId(),
      Created_By: API_USER,
      Modified_By: API_USER,
      _created: at,
      _modified: at,
    };
    this.records.get(module)!.set(rec.id, rec);
    return rec;
  }

  update(module: Module, id: string, fields: Record<string, unknown>, at = this.now()) {
    const rec = this.records.get(module)!.get(id);
    if (!rec) return undefined;
    this.version += 1;
    for (const [k, v] of Object.entries(fields)) if (k !== 'id' && !k.startsWith('$')) rec[k] = v;
    rec._modified = Math.max(at, rec._modified);
    return rec;
  }

  /** Our design, not documented Zoho behaviour: attachment changes move the parent's Modified_Time. */
  touch(module: Module, id: string, at = this.now()): void {
    const rec = this.records.get(module)?.get(id);
    if (rec) {
      this.version += 1;
      rec._modified = Math.max(at, rec._modified);
    }
  }

  remove(module: Module, id: string, at = this.now()): boolean {
    const rec = this.records.get(module)!.get(id);
    if (!rec) return false;
    this.version += 1;
    this.records.get(module)!.delete(id);
    const name = rec.Last_Name ?? rec.Deal_Name ?? rec.Account_Name ?? rec.Note_Title ?? null;
    this.deleted
      .get(module)!
      .push({ id, display_name: name === null ? null : String(name), type: 'recycle', deletedAt: at });
    return true;
  }

  /** The wire form: `$`-less stored fields plus rendered times. */
  render(rec: ZohoRec & { _created: number; _modified: number }, fields?: string[]): Record<string, unknown> {
    const full: Record<string, unknown> = {
      ...rec,
      Created_Time: this.formatTime(rec._created),
      Modified_Time: this.formatTime(rec._modified),
    };
    delete full._created;
    delete full._modified;
    if (!fields) return full;
    const out: Record<string, unknown> = { id: rec.id };
    for (const f of fields) if (f in full) out[f] = full[f];
    return out;
  }

  attachmentsOf(module: string, parentId: string): StoredAttachment[] {
    return [...this.attachments.values()].filter((a) => a.parentModule === module && a.parentId === parentId);
  }
}
