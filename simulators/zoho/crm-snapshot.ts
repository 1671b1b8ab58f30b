import { z } from 'zod';
import { FILE_TYPES, type FileExt } from '../common/files.js';
import { MODULES } from './crm-store.js';

const Module = z.enum(MODULES);
type Row = Record<string, unknown> & { id: string; _created: number; _modified: number };
// A check rather than an object schema: 100k rows are kept as parsed instead of copied (loads in about half the time).
const Row = z.custom<Row>(
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    typeof (v as Row).id === 'string' &&
    typeof (v as Row)._created === 'number' &&
    typeof (v as Row)._modified === 'number',
  'a record needs id, _created and _modified',
);
const Deleted = z.object({
  id: z.string(),
  display_name: z.string().nullable(),
  type: z.enum(['recycle', 'permanent']),
  deletedAt: z.number(),
});
const Attachment = z.object({
  id: z.string(),
  parentModule: z.string(),
  parentId: z.string(),
  fileName: z.string(),
  ext: z.custom<FileExt | 'bin'>((v) => v === 'bin' || (typeof v === 'string' && Object.hasOwn(FILE_TYPES, v))),
  size: z.number(),
  createdAt: z.number(),
  modifiedAt: z.number(),
  contentKey: z.string(),
  /** Uploaded bytes as base64; seeded attachments have none, their bytes derive from `contentKey`. */
  content: z.string().optional(),
});

/** The saved form of a Zoho CRM org (ZohoCrmStore.toSnapshot); `seq` keeps ids from being handed out twice. */
const ZohoCrmSnapshotSchema = z.object({
  seq: z.number().int().min(0),
  mandatory: z.partialRecord(Module, z.array(z.string())),
  records: z.partialRecord(Module, z.array(Row)),
  deleted: z.partialRecord(Module, z.array(Deleted)),
  attachments: z.array(Attachment),
});
export type ZohoCrmSnapshot = z.infer<typeof ZohoCrmSnapshotSchema>;

export const parseZohoCrmSnapshot = (state: unknown): ZohoCrmSnapshot => ZohoCrmSnapshotSchema.parse(state);
