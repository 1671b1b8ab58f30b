/** A deal's file as any CRM connector reports it, in our terms (times as Dates, sizes as numbers). */
export interface CrmFile {
  externalFileId: string;
  dealExternalId: string;
  name: string;
  extension: string | null;
  mimeType: string | null;
  size: number | null;
  /** Hex MD5 of the content when the CRM declares one (HubSpot `fileMd5`); downloads are checked against it. */
  md5?: string | null;
  crmCreatedAt: Date | null;
  crmModifiedAt: Date | null;
  sourceUrl: string | null;
  /** 'private' when the plain URL needs credentials or a signature. */
  access: string | null;
}

export interface CrmDeal {
  externalId: string;
  name: string | null;
  stage: string | null;
  amount: number | null;
  crmModifiedAt: Date | null;
}

const MIME: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  eml: 'message/rfc822',
};

/** Neither CRM reports a MIME type for attachments; it follows from the extension. */
export function mimeFromExtension(ext: string | null): string | null {
  return ext ? (MIME[ext.toLowerCase()] ?? 'application/octet-stream') : null;
}

export function extensionOf(fileName: string): string | null {
  const m = /\.([A-Za-z0-9]{1,16})$/.exec(fileName);
  return m ? m[1]!.toLowerCase() : null;
}

export function dateOrNull(value: unknown): Date | null {
  if (typeof value !== 'string' || value === '') return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : new Date(t);
}
