import { defineEntity, p } from '@mikro-orm/postgresql';

export const PROJECT_STATES = ['queued', 'imported', 'failed'] as const;
export type ProjectState = (typeof PROJECT_STATES)[number];

/** A deal and the SI project it became; the project GUID is derived from (job, deal), so a retry finds the same one. */
export const ProjectLinkSchema = defineEntity({
  name: 'ProjectLink',
  tableName: 'project_links',
  properties: {
    jobId: p.string().length(63).primary(),
    dealId: p.string().length(64).primary(),
    projectId: p.string().length(36),
    projectNumber: p.string().length(64).nullable(),
    state: p.string().length(16).$type<ProjectState>(),
    /** The last publish's message, polled until SI imports it. */
    messageId: p.string().length(64).nullable(),
    /** What the last publish sent: a request whose plan equals it (a replay) sends nothing. */
    publishedFields: p.json<Record<string, unknown>>().nullable(),
    /** The project as SI last reported it (values and change orders), read by one activity and applied by the next. */
    snapshot: p.json<Record<string, unknown>>().nullable(),
    snapshotAt: p.datetime().nullable(),
    publishedAt: p.datetime().nullable(),
    importedAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
  uniques: [{ properties: ['jobId', 'projectId'] }],
});
export class ProjectLink extends ProjectLinkSchema.class {}
ProjectLinkSchema.setClass(ProjectLink);

/**
 * The ledger that makes change-order notes exactly-once: a row is claimed before the note is created and holds the
 * note's id after. A claimed row without a note id means the create's answer may have been lost: the deal's notes
 * are searched for the marker before another is created.
 */
export const ChangeOrderNoteSchema = defineEntity({
  name: 'ChangeOrderNote',
  tableName: 'change_order_notes',
  properties: {
    jobId: p.string().length(63).primary(),
    projectId: p.string().length(36).primary(),
    coNumber: p.string().length(32).primary(),
    dealId: p.string().length(64),
    marker: p.string().length(128),
    noteId: p.string().length(64).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class ChangeOrderNote extends ChangeOrderNoteSchema.class {}
ChangeOrderNoteSchema.setClass(ChangeOrderNote);
