/** Shapes that cross the project-updates workflows' boundary: ids, stamps and counts, never project values. */
export interface ProjectUpdatesInput {
  jobId: string;
  crm: string;
  si: string;
  /** The projects of a `POST /crm-updates` request; absent: every project SI users published since the last poll. */
  projectIds?: string[];
  requestId?: number;
  dryRun?: boolean;
}
export interface ProjectUpdateCounts {
  projects: number;
  fieldsWritten: number;
  dealsWritten: number;
  notesAdded: number;
  notesFound: number;
  acknowledged: number;
  errors: number;
}
export const zeroProjectCounts = (): ProjectUpdateCounts => ({
  projects: 0,
  fieldsWritten: 0,
  dealsWritten: 0,
  notesAdded: 0,
  notesFound: 0,
  acknowledged: 0,
  errors: 0,
});
export interface ProjectUpdatesResult extends ProjectUpdateCounts {
  jobId: string;
  dryRun: boolean;
}

/** A project with what SI handed out about it: the entries to acknowledge once it is applied. */
export interface PublishedProject {
  projectId: string;
  entries: Array<{ coNumber: string | null; stamp: number | null }>;
}
export interface RunRef {
  runId: string;
  workflowId: string;
}
