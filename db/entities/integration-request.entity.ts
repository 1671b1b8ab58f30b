import { defineEntity, p } from '@mikro-orm/postgresql';

export const REQUEST_STATUSES = ['received', 'running', 'done', 'failed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * Requests are rows before they are workflows: committed first, so a crash between the two loses nothing (the
 * sweeper starts rows left `received`), and kept, so they can be audited, edited while waiting and replayed.
 */
const common = {
  id: p.bigint('number').primary().autoincrement(),
  jobId: p.string().length(63),
  /** What the caller sent, as received (JSON or form fields). */
  payload: p.json<Record<string, unknown>>(),
  /** `api`, `webhook` (a per-job token) or `replay`. */
  source: p.string().length(16),
  /** A dry run's request: run under an id of its own, never taken by the real run of its deal or job. */
  dryRun: p.boolean().default(false),
  status: p.string().length(16).$type<RequestStatus>(),
  workflowId: p.string().length(255).nullable(),
  result: p.json<Record<string, unknown>>().nullable(),
  error: p.text().nullable(),
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
  startedAt: p.datetime().nullable(),
  finishedAt: p.datetime().nullable(),
};

/** "Send this deal to SI" (the existing service's SendToSI). */
export const SiRequestSchema = defineEntity({
  name: 'SiRequest',
  tableName: 'si_requests',
  properties: { ...common, dealId: p.string().length(64) },
  indexes: [{ properties: ['status', 'id'] }, { properties: ['jobId', 'dealId'] }],
});
export class SiRequest extends SiRequestSchema.class {}
SiRequestSchema.setClass(SiRequest);

/** "Bring these SI projects' changes to the CRM" (the existing service's SendToCRM, `Type: Update`). */
export const CrmUpdateRequestSchema = defineEntity({
  name: 'CrmUpdateRequest',
  tableName: 'crm_update_requests',
  properties: { ...common, projectIds: p.json<string[]>() },
  indexes: [{ properties: ['status', 'id'] }],
});
export class CrmUpdateRequest extends CrmUpdateRequestSchema.class {}
CrmUpdateRequestSchema.setClass(CrmUpdateRequest);
