import type { EntityManager } from '@mikro-orm/postgresql';
import { ChangeOrderNote, ProjectLink, type ProjectState } from '../entities/index.js';

/** Which SI project each deal became, and the ledger of change-order notes written to deals. */
export class ProjectLinksRepository {
  constructor(private readonly em: EntityManager) {}

  async get(jobId: string, dealId: string): Promise<ProjectLink | null> {
    return this.em.findOne(ProjectLink, { jobId, dealId });
  }

  async byProject(jobId: string, projectId: string): Promise<ProjectLink | null> {
    return this.em.findOne(ProjectLink, { jobId, projectId: projectId.toLowerCase() });
  }

  /** Records a publish: a new link is queued; an imported one stays imported (an update does not unpublish it). */
  async published(
    jobId: string,
    dealId: string,
    projectId: string,
    messageId: string,
    fields: Record<string, unknown>,
  ): Promise<void> {
    const now = new Date();
    await this.em
      .createQueryBuilder(ProjectLink)
      .insert({
        jobId,
        dealId,
        projectId: projectId.toLowerCase(),
        state: 'queued',
        messageId,
        publishedFields: fields,
        publishedAt: now,
        updatedAt: now,
      })
      .onConflict(['jobId', 'dealId'])
      .merge({ messageId, publishedFields: fields, publishedAt: now, updatedAt: now })
      .execute('run');
  }

  /** Keeps what SI reported about a linked project, for the activity that applies it to the deal. */
  async saveSnapshot(jobId: string, projectId: string, snapshot: Record<string, unknown>): Promise<void> {
    await this.em.nativeUpdate(
      ProjectLink,
      { jobId, projectId: projectId.toLowerCase() },
      { snapshot, snapshotAt: new Date() },
    );
  }

  /** Re-creates the link of a project this job published (its GUID derives from the deal) after the row was lost. */
  async relink(jobId: string, dealId: string, projectId: string, projectNumber: string | null): Promise<void> {
    await this.em
      .createQueryBuilder(ProjectLink)
      .insert({
        jobId,
        dealId,
        projectId: projectId.toLowerCase(),
        projectNumber,
        state: 'imported',
        importedAt: new Date(),
        updatedAt: new Date(),
      })
      .onConflict(['jobId', 'dealId'])
      .ignore()
      .execute('run');
  }

  async setState(jobId: string, dealId: string, state: ProjectState, projectNumber?: string | null): Promise<void> {
    await this.em.nativeUpdate(
      ProjectLink,
      { jobId, dealId },
      {
        state,
        ...(projectNumber ? { projectNumber } : {}),
        ...(state === 'imported' ? { importedAt: new Date() } : {}),
      },
    );
  }

  /**
   * Claims a change order's note: the first claim inserts the ledger row; every later one finds it. Returns the row,
   * whose `noteId` is set once the note is known to exist.
   */
  async claimNote(
    key: { jobId: string; projectId: string; coNumber: string },
    dealId: string,
    marker: string,
  ): Promise<ChangeOrderNote> {
    await this.em
      .createQueryBuilder(ChangeOrderNote)
      .insert({
        ...key,
        projectId: key.projectId.toLowerCase(),
        dealId,
        marker,
        noteId: null,
        createdAt: new Date(),
        updatedAt: new Date(),
      })
      .onConflict(['jobId', 'projectId', 'coNumber'])
      .ignore()
      .execute('run');
    return this.em.fork().findOneOrFail(ChangeOrderNote, { ...key, projectId: key.projectId.toLowerCase() });
  }

  async noteWritten(key: { jobId: string; projectId: string; coNumber: string }, noteId: string): Promise<void> {
    await this.em.nativeUpdate(ChangeOrderNote, { ...key, projectId: key.projectId.toLowerCase() }, { noteId });
  }

  async notesOf(jobId: string, projectId: string): Promise<ChangeOrderNote[]> {
    return this.em.find(ChangeOrderNote, { jobId, projectId: projectId.toLowerCase() });
  }
}
