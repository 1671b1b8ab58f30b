import { classifyResponse } from '../classify.js';
import { type ConnectorError, UnavailableError } from '../errors.js';
import { type AuthProvider, HttpClient, type HttpClientOptions, type HttpResponse } from '../http.js';
import {
  SiMessageStatus,
  SiMessageStatusPage,
  type SiMessageState,
  type SiMessageStatuses,
  SiProject,
  type SiProjectRecord,
  SiProjectsResult,
  type SiProjectsPage,
  SiPublishResponse,
  type SiPublishAnswer,
} from './dtools-si.schemas.js';

/** ⚠ The key travels in its own header, per SI user and integration (crm-apis.md 5). */
export function dtoolsApiKey(key: string): AuthProvider {
  return { headers: async () => ({ 'x-dtsi-apikey': key }) };
}

/**
 * ASP.NET ProblemDetails (`title` plus `errors: { field: [message] }`) are what a 400 carries; the field messages
 * are what a user can act on, so they go into the error's message.
 */
export function siProblem(res: HttpResponse): ConnectorError | undefined {
  // Only validation answers: everything else (429s with their waits, 5xx) takes the generic path.
  if (res.status !== 400) return undefined;
  const err = classifyResponse({ status: res.status, headers: res.headers, body: res.body });
  const errors = (res.body as { errors?: Record<string, unknown> } | undefined)?.errors;
  if (errors && typeof errors === 'object') {
    const fields = Object.entries(errors).map(
      ([k, v]) => `${k || '(body)'}: ${Array.isArray(v) ? v.join(' ') : String(v)}`,
    );
    if (fields.length) err.message = `${err.message} (${fields.join('; ')})`;
  }
  return err;
}

export type UpdateField = { projectFieldId: number; value: string | number | null };

/** D-Tools SI: a queue bridge to the SI desktop app. A 200 on a publish means queued, not applied. */
export class DtoolsSiClient {
  private readonly http: HttpClient;

  constructor(opts: HttpClientOptions) {
    this.http = new HttpClient({ ...opts, bodyErrorCheck: siProblem });
  }

  /** Publishes a project; re-publishing the same `id` GUID updates that project instead of adding one. */
  async publishProject(
    project: Record<string, unknown> & { id: string; name: string; client: string },
  ): Promise<SiPublishAnswer> {
    return this.publish('/Publish/Projects', project);
  }

  async publishUpdate(update: { projectId: string; updateFields: UpdateField[] }): Promise<SiPublishAnswer> {
    return this.publish('/Publish/Projects/Update', update);
  }

  async messageStatus(messageId: string): Promise<SiMessageState> {
    const { data } = await this.http.json(
      { path: '/Message/PublishedMessageStatus', query: { messageId } },
      SiMessageStatus,
    );
    if (!data) throw new UnavailableError(`no status for message ${messageId}`, { code: 'INVALID_RESPONSE' });
    return data;
  }

  /** A page of the integration's own publishes, of the given message types (SI's ids), in any state. */
  async messageStatuses(opts: { typeIds: number[]; pageNumber: number; pageSize: number }): Promise<SiMessageStatuses> {
    const { data } = await this.http.json(
      {
        path: '/Message/PublishedMessagesStatus',
        query: { messageTypeIds: opts.typeIds, pageNumber: opts.pageNumber, pageSize: opts.pageSize },
      },
      SiMessageStatusPage,
    );
    return data ?? { totalCount: 0, messageStatuses: [] };
  }

  /** What SI users published, oldest first; without `includeImported`, only what has not been acknowledged. */
  async listProjects(opts: {
    pageNumber: number;
    pageSize: number;
    includeImported?: boolean;
    projectNumber?: string;
  }): Promise<SiProjectsPage> {
    const { data } = await this.http.json(
      {
        path: '/Subscribe/Projects',
        query: {
          pageNumber: opts.pageNumber,
          pageSize: opts.pageSize,
          includeImported: opts.includeImported ?? false,
          projectNumber: opts.projectNumber,
        },
      },
      SiProjectsResult,
    );
    return data ?? { totalCount: 0, projects: [] };
  }

  /** A project as an SI user published it; with `coNumber`, that change order's view. */
  async getProject(id: string, coNumber?: string): Promise<SiProjectRecord> {
    const { data } = await this.http.json(
      { path: `/Subscribe/Projects/${encodeURIComponent(id)}`, query: { coNumber } },
      SiProject,
    );
    if (!data) throw new UnavailableError(`no body for project ${id}`, { code: 'INVALID_RESPONSE' });
    return data;
  }

  /** Acknowledges what was read, so SI stops handing it out; the stamp makes it fail (409) if SI changed it since. */
  async markAsImported(id: string, opts: { coNumber?: string; publishedOnUnixTimeMs?: number } = {}): Promise<void> {
    await this.http.request({
      method: 'PUT',
      path: '/Subscribe/Projects/MarkAsImported',
      query: { id, coNumber: opts.coNumber, publishedOnUnixTimeMs: opts.publishedOnUnixTimeMs },
    });
  }

  /** Cheapest authenticated read. */
  async probe(): Promise<void> {
    await this.listProjects({ pageNumber: 1, pageSize: 1 });
  }

  private async publish(path: string, body: unknown): Promise<SiPublishAnswer> {
    const { data } = await this.http.json({ method: 'POST', path, json: body }, SiPublishResponse);
    if (!data) throw new UnavailableError(`empty answer to ${path}`, { code: 'INVALID_RESPONSE' });
    return data;
  }
}
