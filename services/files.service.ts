import type { EntityManager } from '@mikro-orm/postgresql';
import { Deal } from '../db/entities/index.js';
import {
  type FileFilter,
  type FileRow,
  type FileSort,
  FilesQueryRepository,
} from '../db/repositories/files-query.repository.js';
import { FilesRepository } from '../db/repositories/files.repository.js';
import { decodeIdCursor, encodeIdCursor } from '../db/repositories/id-cursor.js';
import type { ContentStore } from '../storage/content-store.js';
import { NotFound } from './errors.js';

export interface FileView {
  id: number;
  connectionId: string;
  provider: string;
  dealId: string;
  fileId: string;
  name: string;
  extension: string | null;
  mimeType: string | null;
  size: number | null;
  crmCreatedAt: string | null;
  crmModifiedAt: string | null;
  sourceUrl: string | null;
  hasContent: boolean;
  contentSha256: string | null;
  duplicateOf: number | null;
  deletedAt: string | null;
  firstSeenAt: string;
  updatedAt: string;
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function fileView(r: FileRow): FileView {
  return {
    id: r.id,
    connectionId: r.connection_id,
    provider: r.provider,
    dealId: r.deal_external_id,
    fileId: r.external_file_id,
    name: r.name,
    extension: r.extension,
    mimeType: r.mime_type,
    size: r.size,
    crmCreatedAt: iso(r.crm_created_at),
    crmModifiedAt: iso(r.crm_modified_at),
    sourceUrl: r.source_url,
    hasContent: r.content_sha256 !== null,
    contentSha256: r.content_sha256,
    duplicateOf: r.duplicate_of_id,
    deletedAt: iso(r.deleted_at),
    firstSeenAt: iso(r.first_seen_at)!,
    updatedAt: iso(r.updated_at)!,
  };
}

/** Synced files and deals as the API and CLI show them. */
export class FilesService {
  constructor(
    private readonly em: () => EntityManager,
    private readonly store: ContentStore,
  ) {}

  async list(filter: FileFilter, sort: FileSort, limit: number, cursor?: string) {
    const page = await new FilesQueryRepository(this.em()).list(filter, sort, limit, cursor);
    return { items: page.items.map(fileView), nextCursor: page.nextCursor };
  }

  async get(id: number): Promise<FileView> {
    const row = await new FilesQueryRepository(this.em()).get(id);
    if (!row) throw new NotFound('file', String(id));
    return fileView(row);
  }

  /** The stored bytes; NotFound when the file was never downloaded. */
  async content(id: number) {
    const file = await this.get(id);
    if (!file.contentSha256 || !(await this.store.has(file.contentSha256)))
      throw new NotFound('file content', String(id));
    return { file, stream: this.store.read(file.contentSha256) };
  }

  /** Removes our copy only (the CRM keeps its file; a later full sync brings it back). */
  async remove(id: number): Promise<void> {
    if (!(await new FilesRepository(this.em()).remove(id))) throw new NotFound('file', String(id));
  }

  async deals(
    filter: {
      connectionId?: string;
      provider?: string;
      includeDeleted?: boolean;
      stage?: string;
      accountId?: string;
      q?: string;
      extractedOnly?: boolean;
    },
    limit: number,
    cursor?: string,
  ) {
    const where: Record<string, unknown> = {};
    if (filter.connectionId) where.connectionId = filter.connectionId;
    if (filter.provider) where.provider = filter.provider;
    if (!filter.includeDeleted) where.deletedAt = null;
    if (filter.stage) where.normalizedStage = filter.stage;
    if (filter.accountId) where.accountExternalId = filter.accountId;
    if (filter.q) where.name = { $ilike: `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` };
    if (filter.stage || filter.accountId || filter.extractedOnly) where.extractedAt = { $ne: null };
    if (cursor) where.id = { $gt: decodeIdCursor('deal', cursor) };
    const em = this.em();
    const rows = await em.find(Deal, where, { orderBy: { id: 'asc' }, limit: limit + 1 });
    const items = rows.slice(0, limit);
    const counts =
      items.length === 0
        ? []
        : await em.getConnection().execute<Array<{ connection_id: string; deal_external_id: string; n: string }>>(
            `select connection_id, deal_external_id, count(*) as n from file_metadata where deleted_at is null and (connection_id, deal_external_id) in (${items.map(() => '(?, ?)').join(', ')}) group by 1, 2`,
            items.flatMap((d) => [d.connectionId, d.externalId]),
          );
    const countOf = new Map(counts.map((c) => [`${c.connection_id}/${c.deal_external_id}`, Number(c.n)]));
    return {
      items: items.map((d) => ({
        id: d.id,
        connectionId: d.connectionId,
        provider: d.provider,
        dealId: d.externalId,
        name: d.name ?? null,
        stage: d.stage ?? null,
        amount: d.amount === null || d.amount === undefined ? null : Number(d.amount),
        crmModifiedAt: iso(d.crmModifiedAt ?? null),
        fileCount: countOf.get(`${d.connectionId}/${d.externalId}`) ?? 0,
        extractStage: (d.extractedAt ? (d.normalizedStage ?? null) : null) as never,
        probability:
          d.extractedAt && d.probability !== null && d.probability !== undefined ? Number(d.probability) : null,
        accountId: d.extractedAt ? (d.accountExternalId ?? null) : null,
        crmCreatedAt: d.extractedAt ? iso(d.crmCreatedAt ?? null) : null,
        extracted: !!d.extractedAt,
        deletedAt: iso(d.deletedAt ?? null),
      })),
      nextCursor: rows.length > limit ? encodeIdCursor('deal', items[items.length - 1]!.id) : null,
    };
  }

  async dealFiles(id: number, limit: number, cursor?: string) {
    const deal = await this.em().findOne(Deal, { id });
    if (!deal) throw new NotFound('deal', String(id));
    return this.list({ connectionId: deal.connectionId, dealId: deal.externalId }, 'name', limit, cursor);
  }
}
