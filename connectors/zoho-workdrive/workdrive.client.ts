import { classifyResponse } from '../classify.js';
import { type ConnectorError, NotFoundError, UnavailableError, ValidationError } from '../errors.js';
import { HttpClient, type HttpClientOptions, type HttpResponse } from '../http.js';
import type { ZohoRegion } from '../zoho-accounts/data-centres.js';
import { MultipartBody } from './workdrive.multipart.js';
import {
  WdErrorBody,
  WdList,
  type WdResourceRecord,
  WdUploadResponse,
  WdUser,
  type WdUserRecord,
} from './workdrive.schemas.js';

/**
 * ⚠ File bytes come from another host than the API (crm-apis.md 3, quirk 10). Canada's is read from its accounts
 * and upload hosts (zohocloud.ca); the docs name only the pattern `download.zoho.<tld>`.
 */
export const WORKDRIVE_DOWNLOAD_HOSTS: Record<ZohoRegion, string> = {
  com: 'https://download.zoho.com',
  eu: 'https://download.zoho.eu',
  in: 'https://download.zoho.in',
  'com.au': 'https://download.zoho.com.au',
  jp: 'https://download.zoho.jp',
  'com.cn': 'https://download.zoho.com.cn',
  ca: 'https://download.zohocloud.ca',
  sa: 'https://download.zoho.sa',
};

/** `POST /upload` takes at most 250 MB (crm-apis.md 3); larger files need the large-upload host, not used here. */
export const WORKDRIVE_UPLOAD_LIMIT_BYTES = 250 * 1024 * 1024;
/** The docs' default page is 50 and their maximum unpublished; Zoho's own n8n node asks up to 200. */
export const WORKDRIVE_PAGE_LIMIT = 200;
const JSON_API = 'application/vnd.api+json';
const LIMIT_TEXT = `WorkDrive's /upload takes at most 250 MB (${WORKDRIVE_UPLOAD_LIMIT_BYTES} bytes)`;

/**
 * WorkDrive's error body `{"errors":[{"id","title"}]}` read into the classified error: its id is the code, its
 * title the message. Two statuses mean something other than the generic reading.
 */
export function workdriveProblem(res: HttpResponse): ConnectorError | undefined {
  if (res.status < 400) return undefined;
  const first = WdErrorBody.safeParse(res.body).data?.errors[0];
  const body = first ? { code: first.id, message: first.title ?? first.id, errors: [first] } : res.body;
  const err = classifyResponse({ status: res.status, headers: res.headers, body });
  const init = { status: res.status, code: err.code, details: err.details };
  if (res.status === 413) return new ValidationError(`${err.message} (${LIMIT_TEXT})`, init);
  // ⚠ An upload into a folder that is not the account's answers 401 R502 (crm-apis.md 3): no token problem.
  if (res.status === 401 && first?.id === 'R502')
    return new NotFoundError(`${err.message} (the folder is gone or not this account's)`, init);
  if (first?.id === 'INVALID_OAUTHSCOPE')
    err.message += ' (the token lacks a scope; downloads need ZohoFiles.files.READ)';
  return err;
}

export interface WdPaging {
  limit: number;
  offset: number;
}
export interface WdUpload {
  parentId: string;
  fileName: string;
  content: AsyncIterable<Uint8Array | string>;
  size: number;
}
export interface WdUploaded {
  resourceId: string;
  parentId: string | null;
  fileName: string;
  permalink: string | null;
}

/** Zoho WorkDrive v1 over HTTP; the API base is resolved by the HttpClient (`<api_domain>/workdrive/api/v1`). */
export class WorkdriveClient {
  private readonly http: HttpClient;
  private readonly downloadBaseUrl: string;

  constructor(opts: HttpClientOptions & { downloadBaseUrl: string }) {
    const { downloadBaseUrl, ...http } = opts;
    this.http = new HttpClient({ ...http, bodyErrorCheck: workdriveProblem });
    this.downloadBaseUrl = downloadBaseUrl.replace(/\/$/, '');
  }

  /** The caller: the cheapest authenticated read. */
  async me(): Promise<WdUserRecord> {
    const { data } = await this.http.json({ path: '/users/me', headers: { accept: JSON_API } }, WdUser);
    if (!data) throw new UnavailableError('empty answer to users/me', { code: 'INVALID_RESPONSE' });
    return data.data;
  }

  /**
   * One page of a folder's live subfolders, or of its files (`filter[type]=allfiles`), by name. ⚠ Offset paging
   * without a total (quirk 10): the caller stops at a page shorter than `limit`.
   */
  async children(folderId: string, kind: 'folders' | 'files', page: WdPaging): Promise<WdResourceRecord[]> {
    const { data } = await this.http.json(
      {
        path: `/files/${encodeURIComponent(folderId)}/${kind}`,
        headers: { accept: JSON_API },
        query: {
          'page[limit]': page.limit,
          'page[offset]': page.offset,
          sort: 'name',
          'filter[type]': kind === 'files' ? 'allfiles' : undefined,
        },
      },
      WdList,
    );
    return data?.data ?? [];
  }

  /**
   * A multipart upload streamed from `content` with `override-name-exist=false`: a name already in the folder is a
   * 409 R504, never a new version. The content is closed whatever happens; when it failed or was not `size` bytes,
   * that is the error, not the broken request it caused.
   */
  async upload(file: WdUpload): Promise<WdUploaded> {
    const body = new MultipartBody(
      [
        ['parent_id', file.parentId],
        ['filename', encodeURIComponent(file.fileName)],
        ['override-name-exist', 'false'],
      ],
      { field: 'content', fileName: file.fileName, content: file.content, size: file.size },
    );
    if (file.size > WORKDRIVE_UPLOAD_LIMIT_BYTES) {
      await body.close();
      throw new ValidationError(`${file.fileName} has ${file.size} bytes; ${LIMIT_TEXT}`, { code: 'UPLOAD_TOO_LARGE' });
    }
    try {
      const { data } = await this.http.json(
        {
          method: 'POST',
          path: '/upload',
          headers: { accept: JSON_API, 'content-type': body.contentType, 'content-length': String(body.length) },
          body: body.stream,
          // At least 100 kB/s: a 250 MB upload may take 45 minutes before it counts as stuck.
          timeoutMs: 60_000 + Math.ceil(file.size / 100),
        },
        WdUploadResponse,
      );
      if (!data) throw new UnavailableError('empty answer to an upload', { code: 'INVALID_RESPONSE' });
      const a = data.data[0]!.attributes;
      return {
        resourceId: a.resource_id,
        parentId: a.parent_id ?? null,
        fileName: a.FileName,
        permalink: a.Permalink ?? null,
      };
    } catch (err) {
      await body.close().catch(() => undefined);
      throw body.failure ?? err;
    }
  }

  /** The file's bytes from the download host; the caller reads or cancels the body. */
  download(resourceId: string): Promise<Response> {
    return this.http.stream({
      path: `${this.downloadBaseUrl}/v1/workdrive/download/${encodeURIComponent(resourceId)}`,
      headers: { accept: '*/*' },
    });
  }
}
