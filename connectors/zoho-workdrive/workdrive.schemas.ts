import { z } from 'zod';

/**
 * Zoho WorkDrive v1 shapes (crm-apis.md 3): JSON:API documents. Only the attributes we read are named; the rest
 * pass through. Types the docs leave open (numbers that may arrive as strings, `is_folder` as a boolean or a
 * string) are read either way.
 */
const Count = z
  .union([z.number(), z.string().regex(/^\d+$/)])
  .nullish()
  .transform((v) => (v === null || v === undefined ? null : Number(v)));

export const WdResource = z.looseObject({
  id: z.string().min(1),
  type: z.string().optional(),
  attributes: z.looseObject({
    name: z.string(),
    /** `folder` for folders, else a file category. */
    type: z.string().nullish(),
    is_folder: z.union([z.boolean(), z.string()]).nullish(),
    parent_id: z.string().nullish(),
    permalink: z.string().nullish(),
    // ⚠ `modified_time` is a display string ("Apr 13, 10:58 AM"); only the millisecond field is a time (quirk 10).
    modified_time_in_millisecond: Count,
    storage_info: z.looseObject({ size_in_bytes: Count }).nullish(),
    /** `51` in the trash. */
    status: z.union([z.number(), z.string()]).nullish(),
  }),
});
export type WdResourceRecord = z.output<typeof WdResource>;

export const WdList = z.looseObject({ data: z.array(WdResource).default([]) });

export const WdUser = z.looseObject({
  data: z.looseObject({
    id: z.string().min(1),
    attributes: z.looseObject({ display_name: z.string().nullish(), email_id: z.string().nullish() }).optional(),
  }),
});
export type WdUserRecord = z.output<typeof WdUser>['data'];

/** `POST /upload` answers a list of one; the attribute names are the docs' own mixed case. */
export const WdUploadResponse = z.looseObject({
  data: z
    .array(
      z.looseObject({
        attributes: z.looseObject({
          resource_id: z.string().min(1),
          parent_id: z.string().nullish(),
          FileName: z.string().min(1),
          Permalink: z.string().nullish(),
        }),
      }),
    )
    .min(1),
});

/** `{"errors":[{"id":"R504","title":"…"}]}`: an R-code (R501 not found … R504 name exists) or F000. */
export const WdErrorBody = z.looseObject({
  errors: z.array(z.looseObject({ id: z.string().min(1), title: z.string().nullish() })).min(1),
});
