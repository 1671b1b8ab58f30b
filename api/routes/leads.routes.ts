import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LEAD_SYNC_STATES } from '../../db/entities/index.js';
import { LEAD_FIELD_RULES } from '../../domain/lead-field-rules.js';
import { LEAD_FIELDS } from '../../domain/lead-fields.js';
import type { AppDeps } from '../app.js';
import { Cursor, DateTime, errorResponses, Id, Limit, pageOf, Started, Text } from '../schemas.js';

const Conflict = z
  .object({
    id: z.number(),
    leadId: z.number(),
    field: z.string(),
    localValue: z.string().nullable(),
    remoteValue: z.string().nullable(),
    baseValue: z.string().nullable(),
    remoteModifiedAt: z.string().nullable(),
    detectedAt: z.string(),
  })
  .meta({ id: 'LeadConflict' });

const OwnershipConflict = z
  .object({
    kind: z.literal('ownership'),
    leadId: z.number(),
    connectionId: z.string(),
    email: z.string().nullable(),
    zohoId: z.string().nullable(),
    code: z.string().meta({ description: 'DUPLICATE_EMAIL (pulled lead) or ZOHO_ID_TAKEN (push answer)' }),
    reason: z.string(),
    detectedAt: z.string(),
  })
  .meta({ id: 'LeadOwnershipConflict' });
const ConflictListItem = z.discriminatedUnion('kind', [
  Conflict.extend({ kind: z.literal('field') }),
  OwnershipConflict,
]);

const Lead = z
  .object({
    id: z.number(),
    connectionId: z.string(),
    firstName: z.string().nullable(),
    lastName: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    company: z.string().nullable(),
    status: z.string().nullable(),
    source: z.string().nullable(),
    zohoId: z.string().nullable(),
    syncState: z.enum(LEAD_SYNC_STATES),
    lastError: z.string().nullable(),
    remoteModifiedAt: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    deletedAt: z.string().nullable(),
    conflicts: z.array(Conflict).optional(),
  })
  .meta({ id: 'Lead' });

const R = LEAD_FIELD_RULES;
const LeadCreate = z.strictObject({
  connectionId: Text.min(1).max(63).optional(),
  firstName: R.firstName.optional(),
  lastName: R.lastName,
  email: R.email,
  phone: R.phone.optional(),
  company: R.company.optional(),
  status: R.status.optional(),
  source: R.source.optional(),
});
const LeadPatch = z
  .strictObject({
    firstName: R.firstName.optional(),
    lastName: R.lastName.optional(),
    email: R.email.optional(),
    phone: R.phone.optional(),
    company: R.company.optional(),
    status: R.status.optional(),
    source: R.source.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' });

const LeadQuery = z.strictObject({
  connectionId: Text.max(63).optional(),
  syncState: z.enum(LEAD_SYNC_STATES).optional(),
  status: Text.max(128).optional(),
  q: Text.min(1).max(200).optional(),
  updatedSince: DateTime.optional(),
  includeDeleted: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
  limit: Limit,
  cursor: Cursor(100).optional(),
});
const ConflictQuery = z.strictObject({
  connectionId: Text.max(63).optional(),
  limit: Limit,
  cursor: Cursor(100).optional(),
});
const IdParams = z.object({ id: Id });
const ResolveParams = z.object({ id: Id, field: z.enum(LEAD_FIELDS) });
const ResolveBody = z
  .strictObject({
    take: z.enum(['local', 'crm', 'value']),
    value: Text.max(320).nullable().optional().describe('checked against the rules of the field, as in POST /leads'),
  })
  .refine((b) => (b.take === 'value' ? b.value !== undefined : b.value === undefined), {
    message: 'value is given exactly when take is "value"',
    path: ['value'],
  });

export const leadsRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['leads'];
    app.post(
      '/leads',
      {
        schema: {
          tags,
          summary: 'Create a lead; it is pushed to Zoho',
          body: LeadCreate,
          response: { 201: Lead, ...errorResponses },
        },
      },
      async (req, reply) => reply.code(201).send(await deps.leads.create(req.body)),
    );

    app.get(
      '/leads',
      {
        schema: {
          tags,
          summary: 'Leads, oldest first',
          querystring: LeadQuery,
          response: { 200: pageOf(Lead), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, ...filter } = req.query;
        return deps.leads.list(filter, limit, cursor);
      },
    );

    app.get(
      '/leads/conflicts',
      {
        schema: {
          tags,
          summary: 'What waits for a person: open field conflicts (manual policy), then ownership clashes',
          description:
            'Field conflicts (`kind: field`) are resolved with POST /leads/{id}/conflicts/{field}/resolve. Ownership ' +
            'clashes (`kind: ownership`) are leads kept in `error` because another local lead holds their Zoho id or ' +
            'email; `reason` says what to change (merge the duplicates in Zoho, or change or delete one lead).',
          querystring: ConflictQuery,
          response: { 200: pageOf(ConflictListItem), ...errorResponses },
        },
      },
      async (req) => deps.leads.conflicts(req.query.connectionId, req.query.limit, req.query.cursor),
    );

    app.get(
      '/leads/:id',
      { schema: { tags, params: IdParams, response: { 200: Lead, ...errorResponses } } },
      async (req) => deps.leads.get(req.params.id),
    );

    app.patch(
      '/leads/:id',
      {
        schema: {
          tags,
          summary: 'Change a lead; the change is pushed to Zoho',
          params: IdParams,
          body: LeadPatch,
          response: { 200: Lead, ...errorResponses },
        },
      },
      async (req) => deps.leads.update(req.params.id, req.body),
    );

    app.delete(
      '/leads/:id',
      {
        schema: {
          tags,
          summary: 'Delete a lead (in Zoho too, unless the connection says ignore)',
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await deps.leads.remove(req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.post(
      '/leads/:id/push',
      {
        schema: {
          tags,
          summary: 'Push this lead now (retries an errored one)',
          params: IdParams,
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.leads.push(req.params.id);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    app.post(
      '/leads/:id/conflicts/:field/resolve',
      {
        schema: {
          tags,
          summary: "Resolve a field conflict: keep ours, take Zoho's, or set a value",
          params: ResolveParams,
          body: ResolveBody,
          response: { 200: Lead, ...errorResponses },
        },
      },
      async (req) => deps.leads.resolve(req.params.id, req.params.field, req.body.take, req.body.value ?? null),
    );
  };
