import { z } from 'zod';

/** ⚠ Zoho ids are ~19-digit strings beyond JS safe integers (crm-apis.md 6.6): a numeric id is a bad response. */
export const ZohoId = z.string().regex(/^\d+$/, 'Zoho ids are digit strings');

export const ZohoRecord = z.looseObject({ id: ZohoId });
export type ZohoRecord = z.infer<typeof ZohoRecord>;

export const ZohoInfo = z.looseObject({
  per_page: z.number().optional(),
  count: z.number().optional(),
  page: z.number().optional(),
  more_records: z.boolean(),
  sort_by: z.string().optional(),
  sort_order: z.string().optional(),
  next_page_token: z.string().nullish(),
  previous_page_token: z.string().nullish(),
  page_token_expiry: z.string().nullish(),
});
export type ZohoInfo = z.infer<typeof ZohoInfo>;

export const ZohoListResponse = z.object({ data: z.array(ZohoRecord), info: ZohoInfo });
export const ZohoGetResponse = z.object({ data: z.array(ZohoRecord) });

export const ZohoWriteItem = z.looseObject({
  code: z.string(),
  status: z.enum(['success', 'error']),
  message: z.string(),
  details: z.record(z.string(), z.unknown()).default({}),
  action: z.enum(['insert', 'update']).optional(),
  duplicate_field: z.string().nullish(),
});
export const ZohoWriteResponse = z.object({ data: z.array(ZohoWriteItem) });

export const ZohoDeletedRecord = z.looseObject({
  id: ZohoId,
  display_name: z.string().nullish(),
  type: z.string(),
  deleted_time: z.string(),
  deleted_by: z.unknown().optional(),
  created_by: z.unknown().optional(),
});
export const ZohoDeletedResponse = z.object({ data: z.array(ZohoDeletedRecord), info: ZohoInfo });

export const ZohoAttachment = z.looseObject({
  id: ZohoId,
  File_Name: z.string(),
  /** ⚠ Size is a string (crm-apis.md 6.6). */
  Size: z.string().regex(/^\d+$/),
  Parent_Id: z.looseObject({ id: ZohoId, name: z.string().nullish() }).optional(),
  $file_id: z.string().optional(),
  $type: z.string().optional(),
  $link_url: z.string().nullish(),
  $se_module: z.string().optional(),
  Created_Time: z.string(),
  Modified_Time: z.string().optional(),
});
export type ZohoAttachment = z.infer<typeof ZohoAttachment>;
export const ZohoAttachmentsResponse = z.object({ data: z.array(ZohoAttachment), info: ZohoInfo });
