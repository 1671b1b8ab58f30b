import { z } from 'zod';

/**
 * D-Tools SI shapes (crm-apis.md 5). The OpenAPI declares only 200 bodies and leaves several shapes out (publish
 * responses, message status, the project list): those are read leniently, every field optional, and the fields we
 * rely on are checked where they are used.
 */
const Text = z.string().nullish();
const Num = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : Number(v)));

export const SiPublishResponse = z.looseObject({ messageId: z.string().min(1), projectId: z.string().nullish() });
export type SiPublishAnswer = z.output<typeof SiPublishResponse>;

/** Status of an enqueued publish. Not captured in the OpenAPI: a status word, and the project once SI imported it. */
export const SiMessageStatus = z.looseObject({
  id: Text,
  typeId: z.number().nullish(),
  status: z.string().nullish(),
  statusId: z.number().nullish(),
  errorMessage: Text,
  projectId: Text,
  projectNumber: Text,
  importedOn: Text,
});
export type SiMessageState = z.output<typeof SiMessageStatus>;

/** `GET /Message/PublishedMessagesStatus`: not captured in the OpenAPI either; read as a page with a total. */
export const SiMessageStatusPage = z.looseObject({
  totalCount: z.number().nullish(),
  messageStatuses: z.array(SiMessageStatus).default([]),
});
export type SiMessageStatuses = z.output<typeof SiMessageStatusPage>;

export const SiChangeOrder = z.looseObject({
  coNumber: z.union([z.string(), z.number()]).transform(String),
  coName: Text,
  coStatus: Text,
  coType: Text,
  coNotes: Text,
  price: Num,
  publishedOnUnixTimeMs: z.number().nullish(),
});
export type SiChangeOrderRecord = z.output<typeof SiChangeOrder>;

export const SiProject = z.looseObject({
  id: z.string(),
  integrationProjectId: Text,
  name: Text,
  number: Text,
  client: Text,
  progress: Text,
  price: Num,
  budget: Num,
  startDate: Text,
  endDate: Text,
  closeDate: Text,
  publishedOnUnixTimeMs: z.number().nullish(),
  isChangeOrder: z.boolean().nullish(),
  changeOrders: z.array(SiChangeOrder).nullish(),
  // A change order's view (`?coNumber=`) carries that change order's fields beside the project's.
  coNumber: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  coName: Text,
  coStatus: Text,
  coNotes: Text,
});
export type SiProjectRecord = z.output<typeof SiProject>;

export const SiProjectSummary = z.looseObject({
  id: z.string(),
  integrationProjectId: Text,
  name: Text,
  number: Text,
  progress: Text,
  isChangeOrder: z.boolean().nullish(),
  coNumber: z
    .union([z.string(), z.number()])
    .nullish()
    .transform((v) => (v === null || v === undefined ? null : String(v))),
  publishedOnUnixTimeMs: z.number().nullish(),
});
export const SiProjectsResult = z.looseObject({
  totalCount: z.number().nullish(),
  projects: z.array(SiProjectSummary).default([]),
});
export type SiProjectsPage = z.output<typeof SiProjectsResult>;
