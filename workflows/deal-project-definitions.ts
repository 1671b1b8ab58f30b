/** Shapes that cross the deal-to-project workflows' boundary: ids, states and counts, never deal or project values. */
export interface DealToProjectInput {
  requestId: number;
  jobId: string;
  dealId: string;
  /** The job's CRM and SI connections: their queues carry the activities of each side. */
  crm: string;
  si: string;
  dryRun?: boolean;
}
export interface DealToProjectResult {
  requestId: number;
  status: 'done' | 'failed';
  projectId: string | null;
  mode: 'publish' | 'update' | 'unchanged' | null;
  /** Deal fields written back (names only). */
  written: string[];
  error: string | null;
  dryRun: boolean;
}
export interface ProjectPlanOutcome {
  missing: string[];
  mode: 'publish' | 'update' | 'unchanged';
  projectId: string;
  found: boolean;
}
export interface ImportOutcome {
  state: 'queued' | 'imported' | 'failed';
  error: string | null;
}
