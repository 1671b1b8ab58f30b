import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REQUEST_STATUSES } from '../../db/entities/index.js';
import { InvalidFields } from '../../services/errors.js';
import type { AppDeps } from '../app.js';
import { Cursor, DateTime, errorResponses, Limit, pageOf, Text } from '../schemas.js';
import { webhookJobOf } from '../webhook-auth.js';
import { acceptedView, registerRequestCrud } from './request-crud.js';

const CrmUpdate = z
  .object({
    id: z.number(),
    jobId: z.string(),
    projectIds: z.array(z.string()),
    status: z.enum(REQUEST_STATUSES),
    source: z.string(),
    payload: z.record(z.string(), z.unknown()),
    workflowId: z.string().nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    temporalUiUrl: z.string().nullable(),
  })
  .meta({ id: 'CrmUpdateRequest' });
const Accepted = z
  .object({
    id: z.number(),
    workflowId: z.string().nullable(),
    statusUrl: z.string(),
    temporalUiUrl: z.string().nullable(),
    status: z.enum(REQUEST_STATUSES),
  })
  .meta({ id: 'CrmUpdateAccepted' });
const Payload = z.record(Text.max(100), z.unknown()).refine((p) => Object.keys(p).length <= 100, 'at most 100 fields');
const ProjectId = Text.min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'an SI project id (a GUID)');
const CreateQuery = z.strictObject({
  jobId: Text.min(1).max(63).optional(),
  dryRun: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  token: Text.max(256).optional().describe('a job webhook token, instead of the Authorization header'),
});
const ListQuery = z.strictObject({
  status: z.enum(REQUEST_STATUSES).optional(),
  jobId: Text.min(1).max(63).optional(),
  from: DateTime.optional(),
  to: DateTime.optional(),
  limit: Limit,
  cursor: Cursor(100).optional(),
});
const UpdateBody = z.strictObject({ projectIds: z.array(ProjectId).min(1).max(200).optional(), payload: Payload });

/** `{ type: "Update", projectIds: [...] }` as the existing service takes it: either case, a list or a comma-separated string. */
function projectIdsOf(payload: Record<string, unknown>): string[] {
  const type = payload.type ?? payload.Type;
  if (type !== undefined && String(type).toLowerCase() !== 'update')
    throw new InvalidFields([{ field: 'body.type', message: 'only "Update" is supported' }]);
  const raw = payload.projectIds ?? payload.ProjectIds ?? payload.project_ids;
  const list = (Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [])
    .map((v) => String(v).trim())
    .filter(Boolean);
  if (!list.length)
    throw new InvalidFields([
      { field: 'body.projectIds', message: 'give at least one SI project id (a list, or comma-separated in a form)' },
    ]);
  if (list.length > 200)
    throw new InvalidFields([{ field: 'body.projectIds', message: 'at most 200 projects per request' }]);
  const bad = list.find((id) => !ProjectId.safeParse(id).success);
  if (bad !== undefined)
    throw new InvalidFields([
      { field: 'body.projectIds', message: `"${bad.slice(0, 64)}" is not an SI project id (a GUID)` },
    ]);
  return [...new Set(list)];
}

/** CRM-update requests (SI projects → deals), under their own paths and the existing Django service's (`/api/crm/`). */
export const crmUpdatesRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['deal-to-project'];
    for (const path of ['/crm-updates', '/api/crm/']) {
      app.post(
        path,
        {
          schema: {
            tags,
            summary:
              "Bring SI projects' changes and change orders to their deals: stored, then run by projectUpdatesToCrm",
            description:
              '`{ "type": "Update", "projectIds": [...] }`, JSON or form-encoded (projectIds comma-separated). API key or the job\'s webhook token.',
            querystring: CreateQuery,
            body: Payload,
            response: { 202: Accepted, ...errorResponses },
          },
        },
        async (req, reply) => {
          const webhookJob = webhookJobOf(req);
          const view = await deps.crmUpdates.create({
            jobId: webhookJob ?? req.query.jobId,
            projectIds: projectIdsOf(req.body),
            payload: req.body,
            source: webhookJob ? 'webhook' : 'api',
            dryRun: req.query.dryRun,
          });
          return reply.code(202).send(acceptedView('/crm-updates', view));
        },
      );
    }
    app.get(
      '/crm-updates',
      {
        schema: {
          tags,
          summary: 'CRM update requests, newest first',
          querystring: ListQuery,
          response: { 200: pageOf(CrmUpdate), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, from, to, ...filter } = req.query;
        return deps.crmUpdates.list(
          { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
          limit,
          cursor,
        );
      },
    );
    registerRequestCrud(app, {
      path: '/crm-updates',
      alias: '/api/crm',
      tags,
      noun: 'CRM update request',
      view: CrmUpdate,
      updateBody: UpdateBody,
      accepted: Accepted,
      replaySummary: 'Run an ended request again (changes only what differs; notes stay single)',
      service: deps.crmUpdates,
    });
  };
