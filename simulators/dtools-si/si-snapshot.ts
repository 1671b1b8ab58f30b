import { z } from 'zod';
import type { SiSnapshot } from './si-store.js';

const Publish = z.object({ messageId: z.string(), at: z.number(), importedOn: z.number().nullable() });
const ChangeOrder = z.object({
  coId: z.number().int(),
  coNumber: z.string(),
  integrationChangeOrderId: z.string().nullable(),
  coName: z.string(),
  coStatus: z.string(),
  coType: z.enum(['Internal', 'External']),
  coNotes: z.string().nullable(),
  price: z.number(),
  createdOn: z.number(),
  acceptedOn: z.number().nullable(),
  rejectedOn: z.number().nullable(),
  custom: z.record(z.string(), z.unknown()),
  published: Publish.nullable(),
});
const Project = z.object({
  id: z.string(),
  number: z.string(),
  fields: z.record(z.string(), z.unknown()),
  changeOrders: z.array(ChangeOrder),
  createdOn: z.number(),
  updatedOn: z.number(),
  archived: z.boolean(),
  deleted: z.boolean(),
  published: Publish.nullable(),
});
const Message = z.object({
  id: z.string(),
  seq: z.number().int(),
  typeId: z.number().int(),
  kind: z.enum(['project', 'update', 'change-order', 'archive', 'unarchive']),
  projectIds: z.array(z.string()),
  body: z.record(z.string(), z.unknown()),
  publishedAt: z.number(),
  dueAt: z.number(),
  state: z.enum(['queued', 'imported', 'failed']),
  importedOn: z.number().nullable(),
  errorMessage: z.string().nullable(),
  projectNumber: z.string().nullable(),
  coNumber: z.string().nullable(),
});

/** The saved form of the SI side (SiStore.toSnapshot); the sequences keep numbers from being handed out twice. */
const SiSnapshotSchema = z.object({
  projectSeq: z.number().int(),
  messageSeq: z.number().int(),
  coIdSeq: z.number().int(),
  lastPublishAt: z.number(),
  projects: z.array(Project),
  messages: z.array(Message),
});

export const parseSiSnapshot = (state: unknown): SiSnapshot => SiSnapshotSchema.parse(state);
