import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AGGREGATION_TYPES } from '../../db/entities/index.js';
import { CONTACT_SOURCES, EXTRACT_DOMAINS, type ExtractDomain, REGIONS } from '../../domain/extract-fields.js';
import { CONTENT_TYPES, EXPORT_FORMATS, type ExportFormat } from '../../services/export-format.js';
import type { AppDeps } from '../app.js';
import { Cursor, errorResponses, Limit, pageOf, Started, Text } from '../schemas.js';

const ConnectionId = Text.min(1).max(63);
const Day = z.iso.date().describe('YYYY-MM-DD');
const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const AccountItem = z
  .object({
    id: z.number(),
    connection_id: z.string(),
    account_id: z.string(),
    name: z.string(),
    industry: z.string().nullable(),
    value: z.number().nullable(),
    region: z.enum(REGIONS).nullable(),
    crm_modified_at: z.string(),
  })
  .meta({ id: 'Account' });
const ContactItem = z
  .object({
    id: z.number(),
    connection_id: z.string(),
    contact_id: z.string(),
    first_name: z.string().nullable(),
    last_name: z.string(),
    email: z.string(),
    job_title: z.string().nullable(),
    lead_source: z.enum(CONTACT_SOURCES).nullable(),
    last_contact_date: z.string().nullable(),
    crm_modified_at: z.string(),
  })
  .meta({ id: 'Contact' });
const RejectItem = z
  .object({
    connectionId: z.string(),
    domain: z.enum(EXTRACT_DOMAINS),
    recordId: z.string(),
    code: z.string(),
    field: z.string(),
    message: z.string(),
    value: z.string().nullable(),
    crmModifiedAt: z.string(),
    runId: z.string(),
    seenAt: z.string(),
  })
  .meta({ id: 'ExtractReject' });
const AggregationItem = z
  .object({
    connectionId: z.string(),
    accountId: z.string(),
    accountName: z.string().nullable(),
    type: z.enum(AGGREGATION_TYPES),
    periodStart: z.string(),
    totalSize: z.number(),
    dealCount: z.number(),
  })
  .meta({ id: 'DealAggregation' });

const ListQuery = { connectionId: ConnectionId.optional(), q: Text.min(1).max(200).optional(), limit: Limit };
const ExportFile = z
  .string()
  .regex(
    new RegExp(`^(${EXTRACT_DOMAINS.join('|')})\\.(${EXPORT_FORMATS.join('|')})$`),
    `must be <domain>.<format> with domain ${EXTRACT_DOMAINS.join('|')} and format ${EXPORT_FORMATS.join('|')}`,
  );

export const extractRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/syncs/extract',
      {
        schema: {
          tags: ['syncs', 'extract'],
          summary: "Extract a connection's accounts, contacts and deals (crmExtract; one at a time per connection)",
          body: z.strictObject({
            connectionId: ConnectionId,
            domains: z.array(z.enum(EXTRACT_DOMAINS)).min(1).max(3).optional(),
            full: z.boolean().default(false),
          }),
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.syncs.startExtract(req.body);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    app.patch(
      '/records/:domain',
      {
        schema: {
          tags: ['extract'],
          summary:
            "Write new values of the records whose key field has a value, to the CRM and ours (recordsUpdate); values cast by the field's type",
          params: z.object({ domain: z.enum(EXTRACT_DOMAINS) }),
          body: z.strictObject({
            connectionId: ConnectionId.optional(),
            key: Text.min(1).max(64).describe('a field (size or deal_size…) or the CRM id (id, deal_id…)'),
            value: z.union([Text.max(500), z.number()]),
            set: z.record(Text.min(1).max(64), z.union([Text.max(5000), z.number(), z.null()])),
            dryRun: z.boolean().default(false),
            yes: z.boolean().default(false).describe('needed when more than one record matches'),
          }),
          response: { 202: Started.extend({ matched: z.number() }), ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.records.start({ ...req.body, domain: req.params.domain });
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    app.get(
      '/accounts',
      {
        schema: {
          tags: ['extract'],
          summary: 'Extracted accounts (live rows), by region and name',
          querystring: z.strictObject({
            ...ListQuery,
            region: z.enum(REGIONS).optional(),
            cursor: Cursor(100).optional(),
          }),
          response: { 200: pageOf(AccountItem), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, region, ...filter } = req.query;
        return deps.extract.list('accounts', { ...filter, value: region }, limit, cursor) as never;
      },
    );

    app.get(
      '/contacts',
      {
        schema: {
          tags: ['extract'],
          summary: 'Extracted contacts, by lead source and name or email',
          querystring: z.strictObject({
            ...ListQuery,
            leadSource: z.enum(CONTACT_SOURCES).optional(),
            cursor: Cursor(100).optional(),
          }),
          response: { 200: pageOf(ContactItem), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, leadSource, ...filter } = req.query;
        return deps.extract.list('contacts', { ...filter, value: leadSource }, limit, cursor) as never;
      },
    );

    app.get(
      '/extract/rejects',
      {
        schema: {
          tags: ['extract'],
          summary: 'CRM records the extract did not keep, with the field and the reason',
          querystring: z.strictObject({
            connectionId: ConnectionId.optional(),
            domain: z.enum(EXTRACT_DOMAINS).optional(),
            code: z.enum(['MISSING_REQUIRED', 'INVALID_VALUE', 'UNKNOWN_ENUM']).optional(),
            limit: Limit,
            cursor: Cursor(400).optional(),
          }),
          response: { 200: pageOf(RejectItem), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, ...filter } = req.query;
        return deps.extract.rejects(filter, limit, cursor) as never;
      },
    );

    app.get(
      '/reports/deal-aggregations',
      {
        schema: {
          tags: ['extract', 'reports'],
          summary: 'Deal totals per account and period (daily, weekly from Monday, monthly)',
          querystring: z
            .strictObject({
              type: z.enum(AGGREGATION_TYPES),
              connectionId: ConnectionId.optional(),
              accountId: Text.min(1).max(64).optional(),
              from: Day.optional(),
              to: Day.optional(),
              limit: Limit,
              cursor: Cursor(400).optional(),
            })
            .refine((q) => !q.from || !q.to || q.from <= q.to, {
              message: 'from must not be after to',
              path: ['from'],
            }),
          response: { 200: pageOf(AggregationItem), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, ...filter } = req.query;
        return deps.extract.aggregations(filter, limit, cursor);
      },
    );

    app.get(
      '/reports/deal-aggregations/chart.svg',
      {
        schema: {
          tags: ['extract', 'reports'],
          summary: 'The deal totals per period as an SVG line chart (all accounts, or one), rendered with vega-lite',
          querystring: z.strictObject({
            type: z.enum(AGGREGATION_TYPES).default('monthly'),
            connectionId: ConnectionId.optional(),
            accountId: Text.min(1).max(64).optional(),
          }),
        },
      },
      async (req, reply) => {
        const svg = await deps.extract.chart(req.query);
        return reply
          .header('content-type', 'image/svg+xml; charset=utf-8')
          .header('cache-control', 'no-store')
          .send(svg);
      },
    );

    app.get(
      '/exports/:file',
      {
        schema: {
          tags: ['extract'],
          summary: 'A domain streamed from Postgres as CSV (RFC 4180, formulas neutralised), JSON or NDJSON',
          params: z.object({ file: ExportFile }),
          querystring: z.strictObject({ connectionId: ConnectionId.optional(), bom: Bool.optional() }),
        },
      },
      async (req, reply) => {
        const [domain, format] = req.params.file.split('.') as [ExtractDomain, ExportFormat];
        const chunks = deps.extract.export(domain, format, {
          connectionId: req.query.connectionId,
          bom: req.query.bom,
        });
        return reply
          .header('content-type', CONTENT_TYPES[format])
          .header('content-disposition', `attachment; filename="${req.params.file}"`)
          .send(Readable.from(chunks));
      },
    );
  };
