import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { InvalidFields } from '../../services/errors.js';
import type { AppDeps } from '../app.js';
import { Text } from '../schemas.js';
import {
  acceptedSchema,
  requestViewSchema,
  registerRequestCrud,
  registerRequestIntake,
  RequestPayload,
  requestListQuery,
} from './request-crud.js';

const SiRequest = requestViewSchema('SiRequest', { dealId: z.string() });

const Accepted = acceptedSchema('SiRequestAccepted');
const DealId = Text.min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'a CRM record id: letters, digits, _ and -');
/** The existing service's callers name the deal in one of these. */
const DEAL_KEYS = ['dealId', 'deal_id', 'id', 'Deal_Id'] as const;
const ListQuery = requestListQuery({ dealId: DealId.optional() });
const UpdateBody = z.strictObject({ dealId: DealId.optional(), payload: RequestPayload });

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
    registerRequestIntake(app, {
      paths: ['/si-requests', '/api/si/'],
      path: '/si-requests',
      tags,
      accepted: Accepted,
      create: {
        summary: 'Send a deal to D-Tools SI: the request is stored, then a dealToProject workflow runs it',
        description:
          "JSON or application/x-www-form-urlencoded; the deal id in dealId (or deal_id, id, Deal_Id). Authenticated by API key or by the job's webhook token (?token= or X-Webhook-Token).",
        run: (origin) => deps.dealProjects.create({ ...origin, dealId: dealIdOf(origin.payload) }),
      },
      list: {
        summary: 'SI requests, newest first',
        query: ListQuery,
        view: SiRequest,
        run: (filter, limit, cursor) => deps.dealProjects.list(filter, limit, cursor),
      },
    });

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
