import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FILE_SORTS } from '../../db/repositories/files-query.repository.js';
import type { AppDeps } from '../app.js';
import { Cursor, DateTime, Digits, errorResponses, Id, Limit, pageOf, Text } from '../schemas.js';
import { FILE_PROVIDERS } from '../../domain/providers.js';
import { DEAL_STAGES } from '../../domain/extract-fields.js';

const FileItem = z
  .object({
    id: z.number(),
    connectionId: z.string(),
    provider: z.string(),
    dealId: z.string(),
    fileId: z.string(),
    name: z.string(),
    extension: z.string().nullable(),
    mimeType: z.string().nullable(),
    size: z.number().nullable(),
    crmCreatedAt: z.string().nullable(),
    crmModifiedAt: z.string().nullable(),
    sourceUrl: z.string().nullable(),
    hasContent: z.boolean(),
    contentSha256: z.string().nullable(),
    duplicateOf: z.number().nullable(),
    deletedAt: z.string().nullable(),
    firstSeenAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'File' });

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');
const Size = Digits(0, Number.MAX_SAFE_INTEGER);

const FileQuery = z
  .strictObject({
    connectionId: Text.max(63).optional(),
    provider: z.enum(FILE_PROVIDERS).optional(),
    dealId: Text.max(64).optional(),
    q: Text.min(1).max(200).optional(),
    extension: Text.max(32).optional(),
    mimeType: Text.max(255).optional(),
    minSize: Size.optional(),
    maxSize: Size.optional(),
    createdFrom: DateTime.optional(),
    createdTo: DateTime.optional(),
    modifiedFrom: DateTime.optional(),
    modifiedTo: DateTime.optional(),
    duplicatesOnly: Bool.optional(),
    includeDeleted: Bool.optional(),
    sort: z.enum(FILE_SORTS).default('name'),
    limit: Limit,
    cursor: Cursor(500).optional(),
  })
  .refine((q) => q.minSize === undefined || q.maxSize === undefined || q.minSize <= q.maxSize, {
    message: 'minSize must not exceed maxSize',
    path: ['minSize'],
  })
  .refine((q) => !q.createdFrom || !q.createdTo || q.createdFrom <= q.createdTo, {
    message: 'createdFrom must not be after createdTo',
    path: ['createdFrom'],
  })
  .refine((q) => !q.modifiedFrom || !q.modifiedTo || q.modifiedFrom <= q.modifiedTo, {
    message: 'modifiedFrom must not be after modifiedTo',
    path: ['modifiedFrom'],
  });

const IdParams = z.object({ id: Id });

export const filesRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['files'];
    app.get(
      '/files',
      {
        schema: {
          tags,
          summary: 'Synced files, filtered and paginated',
          querystring: FileQuery,
          response: { 200: pageOf(FileItem), ...errorResponses },
        },
      },
      async (req) => {
        const { sort, limit, cursor, ...filter } = req.query;
        return deps.files.list(filter, sort, limit, cursor);
      },
    );

    app.get(
      '/files/:id',
      { schema: { tags, params: IdParams, response: { 200: FileItem, ...errorResponses } } },
      async (req) => deps.files.get(req.params.id),
    );

    app.get(
      '/files/:id/content',
      {
        schema: {
          tags,
          summary: 'The file bytes, with their content type (404 when not downloaded)',
          params: IdParams,
        },
      },
      async (req, reply) => {
        const { file, stream } = await deps.files.content(req.params.id);
        return reply
          .header('content-type', file.mimeType ?? 'application/octet-stream')
          .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`)
          .header('etag', `"${file.contentSha256}"`)
          .send(stream);
      },
    );

    app.delete(
      '/files/:id',
      {
        schema: {
          tags,
          summary: 'Forget our copy (the CRM keeps its file)',
          params: IdParams,
          response: { 204: z.null(), ...errorResponses },
        },
      },
      async (req, reply) => {
        await deps.files.remove(req.params.id);
        return reply.code(204).send(null);
      },
    );

    const DealItem = z
      .object({
        id: z.number(),
        connectionId: z.string(),
        provider: z.string(),
        dealId: z.string(),
        name: z.string().nullable(),
        stage: z.string().nullable(),
        amount: z.number().nullable(),
        crmModifiedAt: z.string().nullable(),
        fileCount: z.number(),
        /** The CRM extract's view: null until the extract keeps the deal. */
        extractStage: z.enum(DEAL_STAGES).nullable(),
        probability: z.number().nullable(),
        accountId: z.string().nullable(),
        crmCreatedAt: z.string().nullable(),
        extracted: z.boolean(),
        deletedAt: z.string().nullable(),
      })
      .meta({ id: 'Deal' });
    const DealQuery = z.strictObject({
      connectionId: Text.max(63).optional(),
      provider: z.enum(FILE_PROVIDERS).optional(),
      stage: z.enum(DEAL_STAGES).optional().describe("the extract's stage (only deals the extract kept)"),
      accountId: Text.min(1).max(64).optional(),
      q: Text.min(1).max(200).optional().describe('case-insensitive part of the name'),
      extractedOnly: Bool.optional(),
      includeDeleted: Bool.optional(),
      limit: Limit,
      cursor: Cursor(200).optional(),
    });
    const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor(500).optional() });

    app.get(
      '/deals',
      {
        schema: {
          tags: ['deals'],
          summary: 'Deals seen by the file sync or the CRM extract, with their file counts',
          querystring: DealQuery,
          response: { 200: pageOf(DealItem), ...errorResponses },
        },
      },
      async (req) => {
        const { limit, cursor, ...filter } = req.query;
        return deps.files.deals(filter, limit, cursor);
      },
    );

    app.get(
      '/deals/:id/files',
      {
        schema: {
          tags: ['deals'],
          params: IdParams,
          querystring: PageQuery,
          response: { 200: pageOf(FileItem), ...errorResponses },
        },
      },
      async (req) => deps.files.dealFiles(req.params.id, req.query.limit, req.query.cursor),
    );
  };
