import { z } from 'zod';

/** HubSpot ids and property values are strings (crm-apis.md 4.1). */
export const HubSpotObject = z.looseObject({
  id: z.string(),
  properties: z.record(z.string(), z.string().nullable()),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean().optional(),
  archivedAt: z.string().optional(),
});
export type HubSpotObject = z.infer<typeof HubSpotObject>;

const Paging = z.object({ next: z.object({ after: z.string() }).optional() }).optional();

export const HubSpotListPage = z.object({ results: z.array(HubSpotObject), paging: Paging });
export const HubSpotSearchPage = z.object({ total: z.number(), results: z.array(HubSpotObject), paging: Paging });

export const HubSpotBatchResponse = z.looseObject({
  status: z.string(),
  results: z.array(HubSpotObject),
  numErrors: z.number().optional(),
  errors: z.array(z.looseObject({ message: z.string(), category: z.string().optional() })).optional(),
});

/** `toObjectId` is numeric in HubSpot's JSON examples and a string in the SDK's types: accept both. */
export const HubSpotAssociationsBatch = z.looseObject({
  status: z.string().optional(),
  results: z.array(
    z.object({
      from: z.object({ id: z.union([z.string(), z.number()]).transform(String) }),
      to: z.array(z.looseObject({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
      paging: Paging,
    }),
  ),
  numErrors: z.number().optional(),
});

export const HubSpotAssociationsList = z.object({
  results: z.array(z.looseObject({ toObjectId: z.union([z.string(), z.number()]).transform(String) })),
  paging: Paging,
});

export const HubSpotFile = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  extension: z.string().nullish(),
  type: z.string().nullish(),
  size: z.number().nullish(),
  url: z.string().nullish(),
  access: z.string(),
  fileMd5: z.string().nullish(),
  createdAt: z.string(),
  updatedAt: z.string(),
  archived: z.boolean(),
});
export type HubSpotFile = z.infer<typeof HubSpotFile>;

export const HubSpotFilesPage = z.object({ results: z.array(HubSpotFile), paging: Paging });

export const HubSpotSignedUrl = z.looseObject({
  url: z.string(),
  expiresAt: z.string(),
  name: z.string().nullish(),
  size: z.number().nullish(),
});
