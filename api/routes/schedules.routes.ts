import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { SCHEDULABLE } from '../../services/schedules.service.js';
import type { AppDeps } from '../app.js';
import { errorResponses, pageOf, Text } from '../schemas.js';

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
/** Bounded: an unbounded count overflowed on its way to Temporal (`99999999999999999999d` became `-400ms`). */
const Every = z
  .string()
  .regex(/^\d{1,6}(s|m|h|d)$/, 'a duration such as 30s, 15m, 6h or 1d')
  .refine((v) => {
    const ms = Number(v.slice(0, -1)) * UNIT_MS[v.slice(-1) as keyof typeof UNIT_MS];
    return ms >= 1000 && ms <= 366 * UNIT_MS.d;
  }, 'between 1s and 366d')
  .describe('an interval from 1s to 366d, such as 30s, 15m, 6h or 1d');
const Cron = Text.min(9).max(100);
const Timezone = Text.min(1).max(64);
const Note = Text.max(500);

const ScheduleView = z
  .object({
    id: z.string(),
    kind: z.string(),
    connectionId: z.string().nullable(),
    every: z.string().nullable(),
    cron: z.string().nullable(),
    timezone: z.string(),
    paused: z.boolean(),
    note: z.string().nullable(),
    nextRuns: z.array(z.string()),
    recentRuns: z.array(
      z.object({
        scheduledAt: z.string(),
        workflowId: z.string().nullable().describe('the sync the schedule asked for (its business-key workflow id)'),
        startedBy: z
          .string()
          .nullable()
          .describe("the schedule's scheduledRun: its result says whether it started the sync or found it running"),
      }),
    ),
  })
  .meta({ id: 'Schedule' });

const CreateBody = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,99}$/, 'lowercase letters, digits and dashes'),
    kind: z.enum(Object.keys(SCHEDULABLE) as [keyof typeof SCHEDULABLE]),
    connectionId: Text.min(1).max(63).optional(),
    every: Every.optional(),
    cron: Cron.optional(),
    timezone: Timezone.optional(),
    paused: z.boolean().optional(),
    note: Note.optional(),
    options: z
      .strictObject({
        mode: z.enum(['incremental', 'full']).optional(),
        downloadContent: z.boolean().optional(),
        jobId: Text.min(1).max(63).optional().describe('the job of a workdrive-transfer schedule'),
      })
      .optional(),
  })
  .refine((b) => !!b.every !== !!b.cron, { message: 'give exactly one of every or cron', path: ['every'] })
  .refine((b) => !SCHEDULABLE[b.kind]?.needsConnection || !!b.connectionId, {
    message: 'this kind needs a connectionId',
    path: ['connectionId'],
  });

const PatchBody = z
  .strictObject({
    every: Every.optional(),
    cron: Cron.optional(),
    timezone: Timezone.optional(),
    note: Note.optional(),
  })
  .refine((b) => !(b.every && b.cron), { message: 'give at most one of every or cron', path: ['every'] })
  .refine((b) => Object.keys(b).length > 0, { message: 'nothing to change' });

const Params = z.object({ id: Text.min(1).max(100) });
const NoteBody = z.strictObject({ note: Note.optional() }).nullish();

export const schedulesRoutes =
  (deps: AppDeps): FastifyPluginAsyncZod =>
  async (app) => {
    const tags = ['schedules'];
    app.get(
      '/schedules',
      { schema: { tags, response: { 200: pageOf(ScheduleView), ...errorResponses } } },
      async () => ({ items: await deps.schedules.list(), nextCursor: null }),
    );
    app.post(
      '/schedules',
      { schema: { tags, body: CreateBody, response: { 201: ScheduleView, ...errorResponses } } },
      async (req, reply) => reply.code(201).send(await deps.schedules.create(req.body)),
    );
    app.get(
      '/schedules/:id',
      { schema: { tags, params: Params, response: { 200: ScheduleView, ...errorResponses } } },
      async (req) => deps.schedules.get(req.params.id),
    );
    app.patch(
      '/schedules/:id',
      { schema: { tags, params: Params, body: PatchBody, response: { 200: ScheduleView, ...errorResponses } } },
      async (req) => deps.schedules.update(req.params.id, req.body),
    );
    app.delete(
      '/schedules/:id',
      { schema: { tags, params: Params, response: { 204: z.null(), ...errorResponses } } },
      async (req, reply) => {
        await deps.schedules.remove(req.params.id);
        return reply.code(204).send(null);
      },
    );
    app.post(
      '/schedules/:id/pause',
      { schema: { tags, params: Params, body: NoteBody, response: { 200: ScheduleView, ...errorResponses } } },
      async (req) => deps.schedules.pause(req.params.id, req.body?.note),
    );
    app.post(
      '/schedules/:id/unpause',
      { schema: { tags, params: Params, body: NoteBody, response: { 200: ScheduleView, ...errorResponses } } },
      async (req) => deps.schedules.unpause(req.params.id, req.body?.note),
    );
    app.post(
      '/schedules/:id/trigger',
      { schema: { tags, params: Params, response: { 200: ScheduleView, ...errorResponses } } },
      async (req) => deps.schedules.trigger(req.params.id),
    );
  };
