import type { EntityManager } from '@mikro-orm/postgresql';
import type { CrmDeal, CrmFile } from '../../connectors/crm-file.js';
import { Deal, DryRunSeen, FileMetadata } from '../entities/index.js';
import { writeEachOnRefusal } from './record-refusals.js';

/** A file or deal as a connector reports it maps one-to-one onto our columns. */
export type FileUpsert = CrmFile;
export type DealUpsert = CrmDeal;

export interface FilePlan {
  created: FileUpsert[];
  updated: Array<{ file: FileUpsert; changed: string[] }>;
  unchanged: FileUpsert[];
}

/** A file or deal our tables refused (a value too long, a NUL, an impossible date): the rest of its page was written. */
export interface RefusedRow {
  externalId: string;
  message: string;
}

const COMPARED: Array<keyof FileUpsert> = [
  'dealExternalId',
  'name',
  'extension',
  'mimeType',
  'size',
  'md5',
  'crmModifiedAt',
  'sourceUrl',
  'access',
];

function same(a: unknown, b: unknown): boolean {
  if (a instanceof Date || b instanceof Date) return (a as Date | null)?.getTime() === (b as Date | null)?.getTime();
  return (a ?? null) === (b ?? null);
}

/** Writes of the file sync. Every write is keyed on (connection_id, external id), so a retried page changes nothing. */
export class FilesRepository {
  constructor(private readonly em: EntityManager) {}

  /** Classifies a page of files against what we hold: new, changed (with the changed columns), unchanged. */
  async plan(connectionId: string, files: FileUpsert[]): Promise<FilePlan> {
    // Plain rows, not managed entities: a page holds thousands of files and needs no identity map.
    const existing =
      files.length === 0
        ? []
        : await this.em.find(
            FileMetadata,
            { connectionId, externalFileId: { $in: files.map((f) => f.externalFileId) } },
            {
              fields: ['externalFileId', ...COMPARED, 'deletedAt'] as never[],
              disableIdentityMap: true,
            },
          );
    const byId = new Map(existing.map((e) => [e.externalFileId, e]));
    const plan: FilePlan = { created: [], updated: [], unchanged: [] };
    for (const f of files) {
      const row = byId.get(f.externalFileId);
      if (!row) {
        plan.created.push(f);
        continue;
      }
      const changed: string[] = COMPARED.filter((k) => !same(row[k as keyof FileMetadata], f[k]));
      if (row.deletedAt) changed.push('deletedAt');
      if (changed.length) plan.updated.push({ file: f, changed });
      else plan.unchanged.push(f);
    }
    return plan;
  }

  /**
   * Applies a plan in one transaction and stamps every file with the run that saw it (for soft deletes). Content
   * whose size or modification time changed is forgotten, so the next download fetches it again.
   */
  async apply(connectionId: string, provider: string, runId: string, plan: FilePlan): Promise<RefusedRow[]> {
    return this.em.transactional(async (em) => {
      const rows = [...plan.created, ...plan.updated.map((u) => u.file)];
      const refused = await writeEachOnRefusal(em, rows, (batch) =>
        em
          .createQueryBuilder(FileMetadata)
          .insert(
            batch.map((f) => ({
              ...f,
              connectionId,
              provider,
              lastSeenRunId: runId,
              deletedAt: null,
              firstSeenAt: new Date(),
              updatedAt: new Date(),
            })),
          )
          .onConflict(['connectionId', 'externalFileId'])
          .merge([
            'dealExternalId',
            'name',
            'extension',
            'mimeType',
            'size',
            'md5',
            'crmCreatedAt',
            'crmModifiedAt',
            'sourceUrl',
            'access',
            'lastSeenRunId',
            'deletedAt',
            'updatedAt',
          ])
          .execute('run'),
      );
      const stale = plan.updated
        .filter((u) => u.changed.includes('size') || u.changed.includes('crmModifiedAt'))
        .map((u) => u.file.externalFileId);
      if (stale.length) {
        await em.nativeUpdate(
          FileMetadata,
          { connectionId, externalFileId: { $in: stale } },
          { contentSha256: null, contentStoredAt: null, duplicateOfId: null },
        );
      }
      if (plan.unchanged.length) {
        await em.nativeUpdate(
          FileMetadata,
          { connectionId, externalFileId: { $in: plan.unchanged.map((f) => f.externalFileId) } },
          { lastSeenRunId: runId },
        );
      }
      return refused.map((r) => ({ externalId: r.item.externalFileId, message: r.message }));
    });
  }

  async upsertDeals(connectionId: string, provider: string, runId: string, deals: DealUpsert[]): Promise<RefusedRow[]> {
    if (deals.length === 0) return [];
    return this.em.transactional(async (em) => {
      const refused = await writeEachOnRefusal(em, deals, (batch) =>
        em
          .createQueryBuilder(Deal)
          .insert(
            batch.map((d) => ({
              ...d,
              connectionId,
              provider,
              lastSeenRunId: runId,
              deletedAt: null,
              firstSeenAt: new Date(),
              updatedAt: new Date(),
            })),
          )
          .onConflict(['connectionId', 'externalId'])
          .merge(['name', 'stage', 'amount', 'crmModifiedAt', 'lastSeenRunId', 'deletedAt', 'updatedAt'])
          .execute('run'),
      );
      return refused.map((r) => ({ externalId: r.item.externalId, message: r.message }));
    });
  }

  /** A dry run notes the files it saw in a scratch table instead of stamping the synced rows. */
  async noteSeen(runId: string, externalFileIds: string[]): Promise<void> {
    if (externalFileIds.length === 0) return;
    await this.em
      .createQueryBuilder(DryRunSeen)
      .insert(externalFileIds.map((externalFileId) => ({ runId, externalFileId })))
      .onConflict(['runId', 'externalFileId'])
      .ignore()
      .execute('run');
  }

  /** Full runs: what the CRM no longer has is soft-deleted (or, for a dry run, only counted). */
  async markUnseenDeleted(
    connectionId: string,
    runId: string,
    dryRun: boolean,
  ): Promise<{ files: number; deals: number }> {
    const fileWhere = {
      connectionId,
      deletedAt: null,
      $or: [{ lastSeenRunId: { $ne: runId } }, { lastSeenRunId: null }],
    };
    const dealWhere = {
      connectionId,
      deletedAt: null,
      $or: [{ lastSeenRunId: { $ne: runId } }, { lastSeenRunId: null }],
    };
    if (dryRun) {
      const [row] = await this.em.getConnection().execute<Array<{ n: string }>>(
        `select count(*) as n from file_metadata f where f.connection_id = ? and f.deleted_at is null
           and not exists (select 1 from dry_run_seen s where s.run_id = ? and s.external_file_id = f.external_file_id)`,
        [connectionId, runId],
      );
      await this.em.nativeDelete(DryRunSeen, { runId });
      return { files: Number(row?.n ?? 0), deals: 0 };
    }
    const now = new Date();
    const files = await this.em.nativeUpdate(FileMetadata, fileWhere, { deletedAt: now });
    const deals = await this.em.nativeUpdate(Deal, dealWhere, { deletedAt: now });
    return { files, deals };
  }

  /**
   * Files of the given CRM ids without content: never downloaded, or recorded with content the store no longer
   * has (a wiped or different DATA_DIR).
   */
  async needingContent(
    connectionId: string,
    externalFileIds: string[],
    stored: (sha256: string) => Promise<boolean>,
  ): Promise<FileMetadata[]> {
    if (externalFileIds.length === 0) return [];
    const rows = await this.em.find(
      FileMetadata,
      { connectionId, externalFileId: { $in: externalFileIds }, deletedAt: null },
      { orderBy: { id: 'asc' } },
    );
    const missing = await Promise.all(rows.map(async (r) => !r.contentSha256 || !(await stored(r.contentSha256))));
    return rows.filter((_, i) => missing[i]);
  }

  /**
   * Records stored content and re-derives the duplicate group of those bytes: the earliest live file is the
   * original, every other file with the same sha256 points at it. Done under a lock on the sha256, so parallel
   * downloads of identical files agree whatever order they finish in.
   */
  async setContent(id: number, sha256: string): Promise<{ duplicateOfId: number | null; newlyFlagged: number }> {
    return this.em.transactional(async (em) => {
      const conn = em.getConnection();
      const ctx = em.getTransactionContext();
      await conn.execute('select pg_advisory_xact_lock(hashtext(?))', [`content:${sha256}`], 'get', ctx);
      const flagged = () =>
        em.count(FileMetadata, { contentSha256: sha256, deletedAt: null, duplicateOfId: { $ne: null } });
      const before = await flagged();
      await em.nativeUpdate(FileMetadata, { id }, { contentSha256: sha256, contentStoredAt: new Date() });
      await conn.execute(
        `update file_metadata f set duplicate_of_id = nullif(g.original, f.id)
           from (select min(id) as original from file_metadata where content_sha256 = ? and deleted_at is null) g
          where f.content_sha256 = ? and f.deleted_at is null`,
        [sha256, sha256],
        'run',
        ctx,
      );
      const row = await em.findOneOrFail(FileMetadata, { id }, { refresh: true });
      return { duplicateOfId: row.duplicateOfId ?? null, newlyFlagged: (await flagged()) - before };
    });
  }

  /** Forgets one file: its duplicates stop pointing at it and the row goes, together or not at all. False when absent. */
  async remove(id: number): Promise<boolean> {
    return this.em.transactional(async (em) => {
      await em.nativeUpdate(FileMetadata, { duplicateOfId: id }, { duplicateOfId: null });
      return (await em.nativeDelete(FileMetadata, { id })) > 0;
    });
  }

  async knownDealsOfFiles(connectionId: string, externalFileIds: string[]): Promise<Map<string, string>> {
    const rows = await this.em.find(
      FileMetadata,
      { connectionId, externalFileId: { $in: externalFileIds } },
      { fields: ['externalFileId', 'dealExternalId'] },
    );
    return new Map(rows.map((r) => [r.externalFileId, r.dealExternalId]));
  }
}
