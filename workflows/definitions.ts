import { defineQuery } from '@temporalio/workflow';

/** Names, queues and the plain-JSON shapes that cross the workflow boundary. No class instances, no Dates. */

/** Activities that talk to one connection's CRM run on its own queue, so its rate budget is shared by all workers. */
export const connectionQueue = (connectionId: string): string => `crm.${connectionId}`;

export const SYNC_KINDS = ['connection-check'] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];

/** Workflow ids are business keys, so a second start of the same job finds the running one. */
export const workflowIds = {
  connectionCheck: (connectionId: string) => `connection-check:${connectionId}`,
};

export interface Progress {
  phase: string;
  done: number;
  total: number | null;
  message?: string;
}
export const progressQuery = defineQuery<Progress>('progress');

export interface ConnectionCheckInput { connectionId: string }
export interface ConnectionCheckOutcome {
  connectionId: string;
  provider: string;
  /** What was verified, e.g. "token refresh + 1-record read". */
  verified: string;
  /** Zoho: whether this check minted a new access token. */
  tokenRefreshed?: boolean;
  latencyMs: number;
}
export type ConnectionCheckResult = ConnectionCheckOutcome;

export interface RunStartInput { workflowId: string; runId: string; kind: SyncKind; connectionId: string | null; startedAt: string }
export interface RunFinishInput {
  workflowId: string;
  runId: string;
  connectionId: string | null;
  status: 'completed' | 'failed' | 'canceled';
  counts?: Record<string, number>;
  result?: Record<string, unknown>;
  error?: { type: string; message: string };
}
