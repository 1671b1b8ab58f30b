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

const CrmUpdate = requestViewSchema('CrmUpdateRequest', { projectIds: z.array(z.string()) });
const Accepted = acceptedSchema('CrmUpdateAccepted');
const ProjectId = Text.min(1)
  .max(64)
  .regex(/^[A-Za-z0-9-]+$/, 'an SI project id (a GUID)');
const ListQuery = requestListQuery({});
const UpdateBody = z.strictObject({
  projectIds: z.array(ProjectId).min(1).max(200).optional(),
  payload: RequestPayload,
});

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
    registerRequestIntake(app, {
      paths: ['/crm-updates', '/api/crm/'],
      path: '/crm-updates',
      tags,
      accepted: Accepted,
      create: {
        summary: "Bring SI projects' changes and change orders to their deals: stored, then run by projectUpdatesToCrm",
        description:
          '`{ "type": "Update", "projectIds": [...] }`, JSON or form-encoded (projectIds comma-separated). API key or the job\'s webhook token.',
        run: (origin) => deps.crmUpdates.create({ ...origin, projectIds: projectIdsOf(origin.payload) }),
      },
      list: {
        summary: 'CRM update requests, newest first',
        query: ListQuery,
        view: CrmUpdate,
        run: (filter, limit, cursor) => deps.crmUpdates.list(filter, limit, cursor),
      },
    });
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
