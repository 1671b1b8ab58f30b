import type { EntityManager } from '@mikro-orm/postgresql';
import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { requireCapable } from '../domain/errors.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { JobsRepository, type WorkdriveTransferJob } from '../db/repositories/jobs.repository.js';
import { workflowIds } from '../workflows/definitions.js';
import { BadRequest, Conflict, NotFound } from './errors.js';
import type { TemporalSettings } from './syncs.service.js';

export interface ScheduleOptionsInput {
  mode?: 'incremental' | 'full';
  downloadContent?: boolean;
  /** The job a job-based kind runs (`workdrive-transfer`). */
  jobId?: string;
}

/** What a schedule can start; each kind names its workflow, its id and how to build its input. */
export const SCHEDULABLE = {
  'connection-check': {
    workflowType: 'connectionCheck',
    needsConnection: true,
    capability: 'check',
    workflowId: (c: string | undefined) => workflowIds.connectionCheck(c!),
    args: (c: string | undefined) => [{ connectionId: c }],
  },
  'file-sync': {
    workflowType: 'fileSync',
    needsConnection: true,
    capability: 'dealFiles',
    workflowId: (c: string | undefined) => workflowIds.fileSync(c!),
    args: (c: string | undefined, o: ScheduleOptionsInput = {}) => [
      { connectionId: c, mode: o.mode ?? 'incremental', downloadContent: o.downloadContent ?? false },
    ],
  },
  'file-sync-all': {
    workflowType: 'fileSyncAll',
    needsConnection: false,
    capability: undefined,
    workflowId: () => workflowIds.fileSyncAll(),
    args: (_c: string | undefined, o: ScheduleOptionsInput = {}) => [
      { mode: o.mode ?? 'incremental', downloadContent: o.downloadContent ?? false },
    ],
  },
  /** Pulls leads; when leads wait to be pushed afterwards it also starts the push (the push's safety net). */
  'lead-pull': {
    workflowType: 'leadPull',
    needsConnection: true,
    capability: 'leads',
    workflowId: (c: string | undefined) => workflowIds.leadPull(c!),
    args: (c: string | undefined) => [{ connectionId: c }],
  },
  /** The CRM extract of a connection (incremental; `mode: full` re-reads everything and removes what is gone). */
  'crm-extract': {
    workflowType: 'crmExtract',
    needsConnection: true,
    capability: 'extract',
    workflowId: (c: string | undefined) => workflowIds.crmExtract(c!),
    args: (c: string | undefined, o: ScheduleOptionsInput = {}) => [{ connectionId: c, full: o.mode === 'full' }],
  },
  /** Brings what SI users published to the linked deals, for every deal-to-project job. */
  'si-poll': {
    workflowType: 'siPoll',
    needsConnection: false,
    capability: undefined,
    workflowId: () => 'si-poll',
    args: () => [],
  },
  /** A WorkDrive transfer job (options.jobId), daily where the Task Scheduler entry ran it; one run at a time. */
  'workdrive-transfer': {
    workflowType: 'workdriveTransfer',
    needsConnection: false,
    capability: undefined,
    workflowId: (_c: string | undefined, o: ScheduleOptionsInput = {}) => workflowIds.workdriveTransfer(o.jobId!),
    args: (_c: string | undefined, o: ScheduleOptionsInput = {}) => [{ jobId: o.jobId }],
  },
  /** Starts SI requests left waiting (the API died after committing one, or its deal was busy). */
  'request-sweep': {
    workflowType: 'requestSweep',
    needsConnection: false,
    capability: undefined,
    workflowId: () => 'request-sweep',
    args: () => [],
  },
} as const;
export type SchedulableKind = keyof typeof SCHEDULABLE;
type ScheduleDef = (typeof SCHEDULABLE)[SchedulableKind];
const SCHEDULED_RUN = 'scheduledRun';

export interface ScheduleTiming {
  every?: string;
  cron?: string;
  timezone?: string;
}
export interface ScheduleInput extends ScheduleTiming {
  id: string;
  kind: SchedulableKind;
  connectionId?: string;
  paused?: boolean;
  note?: string;
  options?: ScheduleOptionsInput;
}
export interface ScheduleView {
  id: string;
  kind: string;
  connectionId: string | null;
  every: string | null;
  cron: string | null;
  timezone: string;
  paused: boolean;
  note: string | null;
  nextRuns: string[];
  /** `workflowId`: the sync's business key; `startedBy`: the schedule's own `scheduledRun`, whose result says started or already running. */
  recentRuns: Array<{ scheduledAt: string; workflowId: string | null; startedBy: string | null }>;
}

/**
 * One per WorkDrive transfer job, daily at its `dailyAt` in its time zone (the Task Scheduler entry it replaces),
 * created paused: a transfer writes to two organisations, so someone turns it on.
 */
export const transferScheduleOf = (job: WorkdriveTransferJob): ScheduleInput => {
  const [hour, minute] = job.dailyAt.split(':').map(Number);
  return {
    id: `workdrive-transfer-daily-${job.id}`,
    kind: 'workdrive-transfer',
    cron: `${minute} ${hour} * * *`,
    timezone: job.timeZone,
    paused: true,
    options: { jobId: job.id },
    note: `daily WorkDrive transfer of job ${job.id} (created paused by npm start)`,
  };
};
/** Temporal Schedules, with our kind and connection kept in the schedule's memo. */
export class SchedulesService {
  constructor(
    private readonly t: TemporalSettings,
    private readonly em: () => EntityManager,
  ) {}

  async create(input: ScheduleInput): Promise<ScheduleView> {
    const def = SCHEDULABLE[input.kind];
    if (def.needsConnection && !input.connectionId)
      throw new BadRequest(`a ${input.kind} schedule needs a connectionId`, { fields: ['connectionId'] });
    if (input.kind === 'workdrive-transfer') {
      const jobId = input.options?.jobId;
      if (!jobId)
        throw new BadRequest('a workdrive-transfer schedule needs options.jobId', { fields: ['options.jobId'] });
      if (!(await new JobsRepository(this.em()).workdriveTransfer(jobId)).length)
        throw new NotFound('workdrive-transfer job', jobId);
    }
    if (input.connectionId)
      requireCapable(
        input.connectionId,
        await new ConnectionsRepository(this.em()).get(input.connectionId),
        def.capability,
      );
    const options: ScheduleOptions = {
      scheduleId: input.id,
      spec: specOf(input),
      action: this.actionOf(def, input.id, input.connectionId, input.options, input.cron),
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '5 minutes' },
      state: { paused: input.paused ?? false, note: input.note },
      memo: { kind: input.kind, connectionId: input.connectionId ?? null, note: input.note ?? null },
    };
    try {
      await this.t.client.schedule.create(options);
    } catch (err) {
      if (err instanceof ScheduleAlreadyRunning) throw new Conflict(`schedule "${input.id}" already exists`);
      throw asBadRequest(err);
    }
    return this.get(input.id);
  }

  async list(): Promise<ScheduleView[]> {
    const ids: string[] = [];
    for await (const s of this.t.client.schedule.list()) {
      // A cheap first cut on the summary; get() checks the rest (the task queue) and drops what is not ours.
      const def = kindOf(s.memo);
      if (def && [SCHEDULED_RUN, def.workflowType].includes(s.action?.workflowType ?? '')) ids.push(s.scheduleId);
    }
    const views = await Promise.all(ids.map((id) => this.get(id).catch(() => undefined)));
    return views.filter((v): v is ScheduleView => v !== undefined).sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<ScheduleView> {
    return toView(id, await this.describe(id));
  }

  /**
   * Creates the schedule unless one with this id exists (for defaults applied at every start). One made by an
   * earlier version, which started the sync itself under `<id>:scheduled`, is moved to `scheduledRun`.
   */
  async ensure(input: ScheduleInput): Promise<{ created: boolean; view: ScheduleView }> {
    try {
      const d = await this.describe(input.id);
      if (d.action.type === 'startWorkflow' && d.action.workflowType !== SCHEDULED_RUN) {
        const memo = (d.memo ?? {}) as { connectionId?: string | null };
        const def = SCHEDULABLE[input.kind];
        const args = d.action.args?.[0] as ScheduleOptionsInput | undefined;
        const cron = (d.action.memo as { cron?: string | null } | undefined)?.cron ?? undefined;
        await this.t.client.schedule.getHandle(input.id).update((prev) => ({
          ...prev,
          action: this.actionOf(def, input.id, memo.connectionId ?? undefined, args, cron),
        }));
      }
      return { created: false, view: await this.get(input.id) };
    } catch (err) {
      if (!(err instanceof NotFound)) throw err;
      return { created: true, view: await this.create(input) };
    }
  }

  /** The schedule's action: `scheduledRun`, which starts the sync under its business key or finds it running. */
  private actionOf(
    def: ScheduleDef,
    scheduleId: string,
    connectionId: string | undefined,
    options: ScheduleOptionsInput | undefined,
    cron: string | undefined,
  ) {
    return {
      type: 'startWorkflow' as const,
      workflowType: SCHEDULED_RUN,
      taskQueue: this.t.taskQueue,
      workflowId: `schedule:${scheduleId}`,
      args: [
        {
          workflowType: def.workflowType,
          workflowId: def.workflowId(connectionId, options),
          args: def.args(connectionId, options),
        },
      ],
      memo: actionMemo(scheduleId, cron),
    };
  }

  async update(id: string, patch: ScheduleTiming & { note?: string }): Promise<ScheduleView> {
    const handle = this.t.client.schedule.getHandle(id);
    const current = toView(id, await this.describe(id));
    const timing: ScheduleTiming = {
      every: patch.every ?? (patch.cron ? undefined : (current.every ?? undefined)),
      cron: patch.cron ?? (patch.every ? undefined : (current.cron ?? undefined)),
      timezone: patch.timezone ?? current.timezone,
    };
    try {
      await handle.update((prev): ScheduleUpdateOptions => ({
        ...prev,
        spec: specOf(timing),
        action: { ...prev.action, memo: actionMemo(id, timing.cron) },
        state: { ...prev.state, note: patch.note ?? prev.state.note },
      }));
    } catch (err) {
      throw asBadRequest(err);
    }
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.describe(id);
    await this.t.client.schedule.getHandle(id).delete();
  }

  async pause(id: string, note?: string): Promise<ScheduleView> {
    await this.describe(id);
    await this.t.client.schedule.getHandle(id).pause(note);
    return this.get(id);
  }

  async unpause(id: string, note?: string): Promise<ScheduleView> {
    await this.describe(id);
    await this.t.client.schedule.getHandle(id).unpause(note);
    return this.get(id);
  }

  async trigger(id: string): Promise<ScheduleView> {
    await this.describe(id);
    await this.t.client.schedule.getHandle(id).trigger(ScheduleOverlapPolicy.ALLOW_ALL);
    return this.get(id);
  }

  /** Only this deployment's schedules exist for the API: another app's in the same namespace is a 404 like a missing one. */
  private async describe(id: string): Promise<ScheduleDescription> {
    let d: ScheduleDescription;
    try {
      d = await this.t.client.schedule.getHandle(id).describe();
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw new NotFound('schedule', id);
      throw err;
    }
    if (!this.isOurs(d)) throw new NotFound('schedule', id);
    return d;
  }

  /**
   * Ours: the memo names a kind we schedule, and the action starts that kind's workflow on our task queue (a
   * schedule for another queue belongs to another deployment sharing the namespace, and no worker of ours runs it).
   */
  private isOurs(d: ScheduleDescription): boolean {
    const def = kindOf(d.memo);
    return (
      !!def &&
      d.action.type === 'startWorkflow' &&
      [SCHEDULED_RUN, def.workflowType].includes(d.action.workflowType) &&
      d.action.taskQueue === this.t.taskQueue
    );
  }
}

/**
 * Temporal compiles cron strings into calendar specs and the schedule memo cannot be updated, so the cron text
 * we show back travels in the action's memo (which every started run also carries).
 */
function actionMemo(scheduleId: string, cron: string | undefined): Record<string, unknown> {
  return { scheduleId, cron: cron ?? null };
}

function specOf(t: ScheduleTiming): ScheduleOptions['spec'] {
  if (!t.every && !t.cron) throw new BadRequest('a schedule needs "every" or "cron"', { fields: ['every', 'cron'] });
  return {
    ...(t.every ? { intervals: [{ every: t.every as `${number}m` }] } : {}),
    ...(t.cron ? { cronExpressions: [t.cron] } : {}),
    timezone: t.timezone ?? 'UTC',
  };
}

/**
 * Temporal rejects a malformed spec (bad cron, unknown zone) as InvalidArgument, which the SDK surfaces as a
 * TypeError, or as a ServiceError whose gRPC cause carries code 3 (a blank time zone): the caller's input, not
 * our failure.
 */
function asBadRequest(err: unknown): unknown {
  const e = err as { code?: number; details?: string; message?: string; cause?: { code?: number; details?: string } };
  if (err instanceof TypeError || e.code === 3 || e.cause?.code === 3) {
    return new BadRequest(`Temporal rejected the schedule: ${e.details || e.cause?.details || e.message}`, {
      fields: ['every', 'cron', 'timezone'],
    });
  }
  return err;
}

function kindOf(memo: Record<string, unknown> | undefined): (typeof SCHEDULABLE)[SchedulableKind] | undefined {
  const kind = memo?.kind;
  return typeof kind === 'string' && Object.hasOwn(SCHEDULABLE, kind)
    ? SCHEDULABLE[kind as SchedulableKind]
    : undefined;
}

function toView(id: string, d: ScheduleDescription): ScheduleView {
  const memo = (d.memo ?? {}) as { kind?: string; connectionId?: string; note?: string | null };
  const interval = d.spec.intervals?.[0]?.every;
  return {
    id,
    kind: memo.kind ?? d.action.workflowType,
    connectionId: memo.connectionId ?? null,
    every: interval === undefined ? null : formatMs(Number(interval)),
    cron: (d.action.memo as { cron?: string | null } | undefined)?.cron ?? null,
    timezone: d.spec.timezone ?? 'UTC',
    paused: d.state.paused,
    note: d.state.note ?? memo.note ?? null,
    nextRuns: d.info.nextActionTimes.slice(0, 5).map((t) => t.toISOString()),
    recentRuns: d.info.recentActions.slice(-5).map((a) => {
      const startedBy = a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : null;
      // A `scheduledRun` starts (or finds running) the sync under its business key: that is the run to look at.
      const sync =
        d.action.type === 'startWorkflow' && d.action.workflowType === SCHEDULED_RUN
          ? (d.action.args?.[0] as { workflowId?: string } | undefined)?.workflowId
          : undefined;
      return { scheduledAt: a.scheduledAt.toISOString(), workflowId: sync ?? startedBy, startedBy };
    }),
  };
}

function formatMs(ms: number): string {
  for (const [unit, size] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
