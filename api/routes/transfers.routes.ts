import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { RECORD_STATES } from '../../domain/workdrive-transfer.js';
import type { AppDeps } from '../app.js';
import { Cursor, Digits, errorResponses, Limit, pageOf, Started, Text } from '../schemas.js';
import { SyncDetail, SyncRow } from './syncs.routes.js';

const FileOutcome = z.object({
  attachmentId: z.string(),
  fileName: z.string(),
  size: z.number().nullable(),
  finalName: z.string().nullable().describe('the name in the folder: the attachment’s, or name_YYYYMMDD_HHMMSS.ext'),
  outcome: z.enum(['uploaded', 'renamed', 'already-there', 'failed', 'planned']),
  reason: z.string().nullable(),
});
const TransferRecord = z
  .object({
    seq: z.number().describe('the position in the run; pass the last one as afterSeq for the next page'),
    recordId: z.string(),
    name: z.string().nullable(),
    state: z.enum(['pending', ...RECORD_STATES]),
    folder: z.object({ id: z.string(), name: z.string().nullable(), url: z.string().nullable() }).nullable(),
    destination: z
      .enum(['written', 'unchanged', 'planned', 'failed'])
      .nullable()
      .describe("the org B record's folder fields"),
    checkboxSet: z.boolean(),
    files: z.array(FileOutcome),
    reason: z.string().nullable(),
  })
  .meta({ id: 'TransferRecord' });

const TransferBody = z.strictObject({
  jobId: Text.min(1).max(63).optional().describe('the workdrive-transfer job; optional when there is only one'),
  dryRun: z.boolean().default(false),
  recordId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'a CRM record id')
    .optional()
    .describe('just this org A record, whatever its checkbox'),
  limit: z.number().int().min(1).max(100_000).optional().describe('the first N records that need transferring'),
});

export const transfersRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['transfers'];
    app.post(
      '/transfers/workdrive',
      {
        schema: {
          tags,
          summary: 'Start a WorkDrive transfer (one at a time per job; a dry run has its own id)',
          body: TransferBody.default({ dryRun: false }),
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.transfers.start(req.body);
        return reply.code(202).send({ ...started, statusUrl: `/transfers/${encodeURIComponent(started.workflowId)}` });
      },
    );

    app.get(
      '/transfers',
      {
        schema: {
          tags,
          summary: 'Transfer runs, newest first',
          querystring: z.strictObject({ limit: Limit, cursor: Cursor(200).optional() }),
          response: { 200: pageOf(SyncRow), ...errorResponses },
        },
      },
      async (req) => deps.transfers.list(req.query.limit, req.query.cursor),
    );

    app.get(
      '/transfers/:workflowId',
      {
        schema: {
          tags,
          summary: "A transfer's latest run with each record's outcome, in the order the run took them",
          params: z.object({ workflowId: Text.min(1).max(255) }),
          querystring: z.strictObject({
            limit: Digits(1, 1000, 'records from 1 to 1000; 200 when absent').default(200),
            afterSeq: Digits(0, 10_000_000, 'records after this position (paging)').optional(),
          }),
          response: {
            200: SyncDetail.extend({ records: z.array(TransferRecord) }).meta({ id: 'Transfer' }),
            ...errorResponses,
          },
        },
      },
      async (req) =>
        deps.transfers.get(req.params.workflowId, { limit: req.query.limit, afterSeq: req.query.afterSeq }),
    );
  };
