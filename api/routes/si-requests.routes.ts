import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { REQUEST_STATUSES } from '../../db/entities/index.js';
import { InvalidFields } from '../../services/errors.js';
import type { AppDeps } from '../app.js';
import { Cursor, DateTime, errorResponses, Limit, pageOf, Text } from '../schemas.js';
import { webhookJobOf } from '../webhook-auth.js';
import { acceptedView, registerRequestCrud } from './request-crud.js';

const SiRequest = z
  .object({
    id: z.number(),
    jobId: z.string(),
    dealId: z.string(),
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
  .meta({ id: 'SiRequest' });

const Accepted = z
  .object({
    id: z.number(),
    workflowId: z.string().nullable(),
    statusUrl: z.string(),
    temporalUiUrl: z.string().nullable(),
    status: z.enum(REQUEST_STATUSES),
  })
  .meta({ id: 'SiRequestAccepted' });

/** What a caller posts: JSON or form fields (a Zoho workflow-rule webhook), kept as received. */
const Payload = z.record(Text.max(100), z.unknown()).refine((p) => Object.keys(p).length <= 100, 'at most 100 fields');
const DealId = Text.min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a CRM record id: letters, digits, _ and -');
/** The existing service's callers name the deal in one of these. */
const DEAL_KEYS = ['dealId', 'deal_id', 'id', 'Deal_Id'] as const;
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
  dealId: DealId.optional(),
  jobId: Text.min(1).max(63).optional(),
  from: DateTime.optional(),
  to: DateTime.optional(),
  limit: Limit,
  cursor: Cursor(100).optional(),
});
const UpdateBody = z.strictObject({ dealId: DealId.optional(), payload: Payload });

function dealIdOf(payload: Record<string, unknown>): string {
  const raw = DEAL_KEYS.map((k) => payload[k]).find((v) => v !== undefined && v !== null && v !== '');
  const parsed = DealId.safeParse(typeof raw === 'number' ? String(raw) : raw);
  if (!parsed.success)
    throw new InvalidFields([
      {
        field: 'body.dealId',
        message:
          raw === undefined
            ? `required (also read from ${DEAL_KEYS.slice(1).join(', ')})`
            : parsed.error.issues[0]!.message,
      },
    ]);
  return parsed.data;
}

/** SI requests (deal → project), under their own paths and the existing Django service's (`/api/si/`). */
export const siRequestsRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['deal-to-project'];
    for (const path of ['/si-requests', '/api/si/']) {
      app.post(
        path,
        {
          schema: {
            tags,
            summary: 'Send a deal to D-Tools SI: the request is stored, then a dealToProject workflow runs it',
            description:
              "JSON or application/x-www-form-urlencoded; the deal id in dealId (or deal_id, id, Deal_Id). Authenticated by API key or by the job's webhook token (?token= or X-Webhook-Token).",
            querystring: CreateQuery,
            body: Payload,
            response: { 202: Accepted, ...errorResponses },
          },
        },
        async (req, reply) => {
          const webhookJob = webhookJobOf(req);
          const view = await deps.dealProjects.create({
            jobId: webhookJob ?? req.query.jobId,
            dealId: dealIdOf(req.body),
            payload: req.body,
            source: webhookJob ? 'webhook' : 'api',
            dryRun: req.query.dryRun,
          });
          return reply.code(202).send(acceptedView('/si-requests', view));
        },
      );
    }

    app.get(
      '/si-requests',
      {
        schema: {
          tags,
          summary: 'SI requests, newest first',
          querystring: ListQuery,
          response: { 200: pageOf(SiRequest), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, from, to, ...filter } = req.query;
        return deps.dealProjects.list(
          { ...filter, from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined },
          limit,
          cursor,
        );
      },
    );

    registerRequestCrud(app, {
      path: '/si-requests',
      alias: '/api/si',
      tags,
      noun: 'SI request',
      view: SiRequest,
      updateBody: UpdateBody,
      accepted: Accepted,
      replaySummary: 'Run an ended request again (safe: same project GUID, only changed fields written)',
      service: deps.dealProjects,
    });
  };
