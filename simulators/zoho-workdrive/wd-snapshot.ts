import { z } from 'zod';
import { FILE_TYPES, type FileExt } from '../common/files.js';
import type { WdSnapshot } from './wd-store.js';

const Blob = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('seeded'),
    key: z.string(),
    ext: z.enum(Object.keys(FILE_TYPES) as [FileExt, ...FileExt[]]),
  }),
  z.object({ kind: z.literal('stored'), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
]);
const Node = z.object({
  id: z.string().min(1),
  name: z.string(),
  parentId: z.string(),
  kind: z.enum(['teamfolder', 'folder', 'file']),
  createdAt: z.number(),
  modifiedAt: z.number(),
  trashedAt: z.number().nullable(),
  createdBy: z.string(),
  modifiedBy: z.string(),
  contentType: z.string().nullable(),
  size: z.number().int().min(0),
  blob: Blob.nullable(),
  version: z.number().int().positive(),
});
const Identity = z.object({
  orgId: z.string(),
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  teamId: z.string(),
  teamName: z.string(),
  teamMemberId: z.string(),
});

/** The saved form of WdStore; uploaded bytes are files in the state dir, named by their SHA-256 (wd-blobs.ts). */
const WdSnapshotSchema = z.object({ identity: Identity, nodes: z.array(Node) });

export const parseWdSnapshot = (state: unknown): WdSnapshot => WdSnapshotSchema.parse(state);
