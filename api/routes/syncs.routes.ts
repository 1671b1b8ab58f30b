import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SYNC_RUN_STATUSES } from '../../db/entities/index.js';
import type { AppDeps } from '../app.js';
import { Cursor, errorResponses, Limit, pageOf, Started, Text } from '../schemas.js';
import { FILE_PROVIDERS } from '../../domain/providers.js';

const Status = z.enum(SYNC_RUN_STATUSES);
const Progress = z.object({
  phase: z.string(),
  done: z.number(),
  total: z.number().nullable(),
  message: z.string().optional(),
  counts: z.record(z.string(), z.number()).optional(),
});

const PendingActivity = z
  .object({
    activityType: z.string(),
    state: z.enum(['scheduled', 'started', 'cancel-requested', 'paused', 'pause-requested', 'unknown']),
    attempt: z.number(),
    maximumAttempts: z.number(),
    lastFailure: z.string().nullable(),
    lastFailureType: z.string().nullable(),
    lastStartedAt: z.string().nullable(),
    lastHeartbeatAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
  })
  .meta({ id: 'PendingActivity' });

export const SyncDetail = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    kind: z.string(),
    connectionId: z.string().nullable(),
    status: Status,
    progress: Progress.nullable(),
    result: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
    startedAt: z.string(),
    closedAt: z.string().nullable(),
    temporalUiUrl: z.string(),
    pendingActivities: z
      .array(PendingActivity)
      .describe('activities Temporal is still trying; attempt > 1 with lastFailure means retrying, not progressing'),
  })
  .meta({ id: 'Sync' });

export const SyncRow = z
  .object({
    workflowId: z.string(),
    runId: z.string(),
    kind: z.string(),
    connectionId: z.string().nullable(),
    status: Status,
    counts: z.record(z.string(), z.number()),
    error: z.string().nullable(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    temporalUiUrl: z.string(),
  })
  .meta({ id: 'SyncRun' });

const ListQuery = z.strictObject({
  kind: Text.max(64).optional(),
  connection: Text.max(63).optional(),
  status: Status.optional(),
  limit: Limit,
  cursor: Cursor(200).optional(),
});
const Params = z.object({ workflowId: Text.min(1).max(255) });

const Ids = z.array(Text.min(1).max(64)).min(1).max(1000);
const FileSyncBody = z
  .strictObject({
    connectionId: Text.min(1).max(63).optional(),
    all: z.literal(true).optional(),
    provider: z.enum(FILE_PROVIDERS).optional(),
    mode: z.enum(['incremental', 'full']).default('incremental'),
    dealIds: Ids.optional(),
    fileIds: Ids.optional(),
    downloadContent: z.boolean().default(false),
    dryRun: z.boolean().default(false),
  })
  .refine((b) => !!b.connectionId !== !!b.all, {
    message: 'give exactly one of connectionId or all: true',
    path: ['connectionId'],
  })
  .refine((b) => !b.all || (!b.dealIds && !b.fileIds), {
    message: 'dealIds and fileIds need a single connectionId',
    path: ['dealIds'],
  });

export const syncsRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    app.post(
      '/syncs/files',
      {
        schema: {
          tags: ['syncs'],
          summary: 'Start a file sync for one connection (fileSync) or all (fileSyncAll)',
          body: FileSyncBody,
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.syncs.startFileSync(req.body);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    const LeadSyncBody = z.strictObject({
      connectionId: Text.min(1).max(63).optional(),
      dryRun: z.boolean().default(false),
    });
    app.post(
      '/syncs/leads/pull',
      {
        schema: {
          tags: ['syncs', 'leads'],
          summary: 'Pull leads changed in Zoho since the cursor (full: all leads)',
          body: LeadSyncBody.extend({ full: z.boolean().default(false) }).default({ dryRun: false, full: false }),
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.syncs.startLeadPull(req.body);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    app.post(
      '/syncs/leads/push',
      {
        schema: {
          tags: ['syncs', 'leads'],
          summary: "Push pending leads to Zoho (starts or signals the connection's push)",
          body: LeadSyncBody.default({ dryRun: false }),
          response: { 202: Started, ...errorResponses },
        },
      },
      async (req, reply) => {
        const started = await deps.syncs.startLeadPush(req.body);
        return reply.code(202).send({ ...started, statusUrl: `/syncs/${encodeURIComponent(started.workflowId)}` });
      },
    );

    const SyncEvent = z
      .object({
        id: z.number(),
        runId: z.string(),
        level: z.string(),
        code: z.string(),
        message: z.string(),
        details: z.record(z.string(), z.unknown()).nullable(),
        occurredAt: z.string(),
      })
      .meta({ id: 'SyncEvent' });
    app.get(
      '/syncs/:workflowId/events',
      {
        schema: {
          tags: ['syncs'],
          summary: 'Item errors and dry-run plans of a sync, oldest first',
          params: Params,
          querystring: z.strictObject({ limit: Limit, cursor: Cursor(100).optional() }),
          response: { 200: pageOf(SyncEvent), ...errorResponses },
        },
      },
      async (req) => deps.syncs.events(req.params.workflowId, req.query.limit, req.query.cursor),
    );

    app.get(
      '/syncs',
      {
        schema: {
          tags: ['syncs'],
          summary: 'Sync runs, newest first',
          querystring: ListQuery,
          response: { 200: pageOf(SyncRow), ...errorResponses },
        },
      },
      async (req) => {
        const { kind, connection, status, limit, cursor } = req.query;
        return deps.syncs.list({ kind, connectionId: connection, status }, limit, cursor);
      },
    );

    app.get(
      '/syncs/:workflowId',
      {
        schema: {
          tags: ['syncs'],
          summary: 'State of a sync: Temporal status, progress, result',
          params: Params,
          response: { 200: SyncDetail, ...errorResponses },
        },
      },
      async (req) => deps.syncs.get(req.params.workflowId),
    );

    app.post(
      '/syncs/:workflowId/cancel',
      {
        schema: {
          tags: ['syncs'],
          summary: 'Request cancellation of a running sync',
          params: Params,
          response: { 202: SyncDetail, ...errorResponses },
        },
      },
      async (req, reply) => reply.code(202).send(await deps.syncs.cancel(req.params.workflowId)),
    );
  };
