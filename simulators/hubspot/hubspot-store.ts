import { z } from 'zod';
import { FILE_TYPES, type FileExt, fileName } from '../common/files.js';
import { Rng } from '../common/rng.js';

export interface HsObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: number;
  updatedAt: number;
  archived: boolean;
}
export interface HsFile {
  id: string;
  name: string;
  extension: FileExt;
  size: number;
  access: 'PUBLIC_NOT_INDEXABLE' | 'PRIVATE';
  createdAt: number;
  updatedAt: number;
  contentKey: string;
}

/** Association type ids (crm-apis.md 4.3): note→deal 214 (confirmed), deal→note 213. */
export const ASSOC_TYPE: Record<string, number> = { 'deals:notes': 213, 'notes:deals': 214 };

/** Properties HubSpot returns when the caller names none. */
export const DEFAULT_PROPERTIES: Record<string, string[]> = {
  deals: [
    'dealname',
    'amount',
    'closedate',
    'createdate',
    'dealstage',
    'hs_lastmodifieddate',
    'hs_object_id',
    'pipeline',
  ],
  notes: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
};

const OBJECT_TYPES = ['deals', 'notes', 'contacts', 'companies'] as const;
const HsObjectSchema = z.object({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.number(),
  updatedAt: z.number(),
  archived: z.boolean(),
});
const HsFileSchema = z.object({
  id: z.string(),
  name: z.string(),
  extension: z.custom<FileExt>((v) => typeof v === 'string' && Object.hasOwn(FILE_TYPES, v)),
  size: z.number(),
  access: z.enum(['PUBLIC_NOT_INDEXABLE', 'PRIVATE']),
  createdAt: z.number(),
  updatedAt: z.number(),
  contentKey: z.string(),
});
/** Saved across restarts; files are metadata only, their bytes derive from `contentKey`. */
const HubSpotSnapshotSchema = z.object({
  seq: z.number().int().min(0),
  objects: z.partialRecord(z.enum(OBJECT_TYPES), z.array(HsObjectSchema)),
  associations: z.array(z.tuple([z.string(), z.array(z.string())])),
  files: z.array(HsFileSchema),
});
export type HubSpotSnapshot = z.infer<typeof HubSpotSnapshotSchema>;
export const parseHubSpotSnapshot = (state: unknown): HubSpotSnapshot => HubSpotSnapshotSchema.parse(state);

/** In-memory HubSpot portal: CRM objects, associations, and the file manager. */
export class HubSpotStore {
  readonly objects = new Map<string, Map<string, HsObject>>(OBJECT_TYPES.map((t) => [t, new Map()]));
  /** key `${fromType}:${toType}:${fromId}` → to ids */
  readonly associations = new Map<string, string[]>();
  readonly files = new Map<string, HsFile>();
  private seq = 0;

  /** An empty portal (before seeding, or to reseed). */
  clear(): void {
    this.seq = 0;
    for (const objects of this.objects.values()) objects.clear();
    this.associations.clear();
    this.files.clear();
  }

  toSnapshot(): HubSpotSnapshot {
    return {
      seq: this.seq,
      objects: Object.fromEntries(OBJECT_TYPES.map((t) => [t, [...this.objects.get(t)!.values()]])),
      associations: [...this.associations],
      files: [...this.files.values()],
    };
  }

  restore(snapshot: HubSpotSnapshot): void {
    this.clear();
    this.seq = snapshot.seq;
    for (const t of OBJECT_TYPES) for (const o of snapshot.objects[t] ?? []) this.objects.get(t)!.set(o.id, o);
    for (const [key, ids] of snapshot.associations) this.associations.set(key, ids);
    for (const f of snapshot.files) this.files.set(f.id, f);
  }

  nextId(start = 10_000_000_000): string {
    this.seq += 1;
    return String(start + this.seq * 7);
  }

  create(type: string, properties: Record<string, string | null>, at = Date.now()): HsObject {
    const id = this.nextId();
    const iso = new Date(at).toISOString();
    const obj: HsObject = {
      id,
      createdAt: at,
      updatedAt: at,
      archived: false,
      properties: { ...properties, hs_object_id: id, createdate: iso, hs_createdate: iso, hs_lastmodifieddate: iso },
    };
    this.objects.get(type)!.set(id, obj);
    return obj;
  }

  associate(fromType: string, fromId: string, toType: string, toId: string): void {
    for (const [a, aId, b, bId] of [
      [fromType, fromId, toType, toId],
      [toType, toId, fromType, fromId],
    ] as const) {
      const key = `${a}:${b}:${aId}`;
      const list = this.associations.get(key) ?? [];
      if (!list.includes(bId)) list.push(bId);
      this.associations.set(key, list);
    }
  }

  associated(fromType: string, fromId: string, toType: string): string[] {
    return this.associations.get(`${fromType}:${toType}:${fromId}`) ?? [];
  }
}

const BASE = Date.UTC(2026, 5, 1);
const DAY = 86_400_000;
const EXTS: FileExt[] = ['pdf', 'docx', 'xlsx', 'png', 'jpg', 'txt'];
const DEALS = ['Lobby video wall', 'Boardroom refresh', 'Campus Wi-Fi', 'Retail signage', 'Surveillance upgrade'];

/** Deterministic portal: 4 deals with 2–4 files each, attached through notes (more deals with `deals`). */
export function seedHubSpot(store: HubSpotStore, opts: { seed: number; deals?: number; filesPerDeal?: number }): void {
  const rng = new Rng(opts.seed ^ 0x5eed);
  const count = Math.max(4, opts.deals ?? 4);
  for (let i = 0; i < count; i++) {
    const created = BASE - rng.int(10, 120) * DAY + rng.int(0, 86_399) * 1000;
    const deal = store.create(
      'deals',
      {
        dealname: `${rng.pick(DEALS)} #${i + 1}`,
        amount: String(rng.int(5, 500) * 100),
        dealstage: rng.pick(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'closedwon']),
        pipeline: 'default',
        closedate: new Date(BASE + rng.int(1, 90) * DAY).toISOString(),
        hubspot_owner_id: '7001',
      },
      created,
    );
    const fileCount = i < 4 ? rng.int(2, 4) : (opts.filesPerDeal ?? rng.int(0, 2));
    let pending: string[] = [];
    for (let f = 0; f < fileCount; f++) {
      const ext = rng.pick(EXTS);
      const id = store.nextId(90_000_000_000);
      const at = created + rng.int(1, 9) * DAY;
      store.files.set(id, {
        id,
        name: fileName(rng, ext).replace(/\.[^.]+$/, ''),
        extension: ext,
        size: rng.int(10, 800) * 1024,
        access: rng.bool(0.5) ? 'PRIVATE' : 'PUBLIC_NOT_INDEXABLE',
        createdAt: at,
        updatedAt: at,
        contentKey: `hubspot:${opts.seed}:${id}`,
      });
      pending.push(id);
      // Some notes carry two attachments: hs_attachment_ids is `;`-separated (crm-apis.md 6.8).
      if (pending.length === 2 || f === fileCount - 1 || rng.bool(0.5)) {
        const note = store.create(
          'notes',
          {
            hs_note_body: `Files for ${deal.properties.dealname}`,
            hs_timestamp: new Date(at).toISOString(),
            hs_attachment_ids: pending.join(';'),
          },
          at,
        );
        store.associate('deals', deal.id, 'notes', note.id);
        pending = [];
      }
    }
    if (rng.bool(0.3)) {
      const note = store.create(
        'notes',
        {
          hs_note_body: 'Call notes, no files',
          hs_timestamp: new Date(created).toISOString(),
          hs_attachment_ids: null,
        },
        created,
      );
      store.associate('deals', deal.id, 'notes', note.id);
    }
  }
}
