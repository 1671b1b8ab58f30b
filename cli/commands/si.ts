import { REQUEST_STATUSES, type RequestStatus } from '../../db/entities/index.js';
import { CrmUpdatesService } from '../../services/crm-updates.service.js';
import { DealProjectsService } from '../../services/deal-projects.service.js';
import type { CliContext } from '../context.js';
import { Progress, table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;
const ID = /^[A-Za-z0-9_-]{1,64}$/;

export type SiRequest =
  | { command: 'push'; dealId: string; jobId?: string; dryRun: boolean; wait: boolean }
  | { command: 'pull'; projectIds?: string[]; jobId?: string; dryRun: boolean; wait: boolean }
  | { command: 'requests'; status?: RequestStatus; dealId?: string; jobId?: string }
  | { command: 'replay'; requestId: number; wait: boolean };

const list = (v: Flags[string]): string[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

/** Reads `si …` arguments into a request, or throws a UsageError; pure, so bad usage opens nothing. */
export function parseSiRequest(sub: string | undefined, args: string[], flags: Flags): SiRequest {
  const jobId = typeof flags.job === 'string' ? flags.job : undefined;
  const wait = !flags['no-wait'];
  const dryRun = !!flags['dry-run'];
  if (sub !== 'replay' && args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  switch (sub) {
    case 'push': {
      const dealId = typeof flags.deal === 'string' ? flags.deal : '';
      if (!ID.test(dealId)) throw new UsageError('si push needs --deal ID (a CRM deal id)');
      return { command: 'push', dealId, jobId, dryRun, wait };
    }
    case 'pull': {
      const projectIds = list(flags.project);
      const bad = projectIds.find((p) => !ID.test(p));
      if (bad !== undefined) throw new UsageError(`--project "${bad}" is not an SI project id`);
      return { command: 'pull', projectIds: projectIds.length ? projectIds : undefined, jobId, dryRun, wait };
    }
    case 'requests': {
      const status = flags.status as RequestStatus | undefined;
      if (status !== undefined && !REQUEST_STATUSES.includes(status))
        throw new UsageError(`--status must be one of ${REQUEST_STATUSES.join(', ')}`);
      const dealId = typeof flags.deal === 'string' ? flags.deal : undefined;
      if (dealId !== undefined && !ID.test(dealId)) throw new UsageError('--deal must be a CRM deal id');
      return { command: 'requests', status, dealId, jobId };
    }
    case 'replay': {
      if (args.length !== 1 || !/^[0-9]{1,15}$/.test(args[0]!) || Number(args[0]) < 1)
        throw new UsageError('si replay needs the id of an SI request (a positive whole number)');
      return { command: 'replay', requestId: Number(args[0]), wait };
    }
    default:
      throw new UsageError(sub ? `unknown command "si ${sub}"` : 'si needs a command: push, pull, requests or replay');
  }
}

/** `crm-sync si push | pull | requests | replay`: deal → project requests and project updates from D-Tools SI. */
export async function siCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  const request = parseSiRequest(sub, args, flags);
  const orm = await ctx.db();
  const em = () => orm.em.fork();
  const temporal = await ctx.temporal();
  const deals = new DealProjectsService(temporal, em);
  const updates = new CrmUpdatesService(temporal, em, deals);
  const json = !!flags.json;
  switch (request.command) {
    case 'requests': {
      const page = await deals.list({ status: request.status, dealId: request.dealId, jobId: request.jobId }, 200);
      console.log(
        json
          ? JSON.stringify(page, null, 2)
          : table(page.items as unknown as Array<Record<string, unknown>>, [
              'id',
              'jobId',
              'dealId',
              'status',
              'source',
              'createdAt',
              'error',
            ]),
      );
      return 0;
    }
    case 'push': {
      const view = await deals.create({
        dealId: request.dealId,
        jobId: request.jobId,
        payload: { dealId: request.dealId },
        source: 'api',
        dryRun: request.dryRun,
      });
      console.error(`SI request ${view.id} for deal ${request.dealId}: ${view.workflowId} (${view.temporalUiUrl})`);
      return request.wait ? report(await follow(() => deals.get(view.id)), json) : 0;
    }
    case 'replay': {
      const view = await deals.replay(request.requestId);
      console.error(`SI request ${view.id} replayed: ${view.workflowId}`);
      return request.wait ? report(await follow(() => deals.get(view.id)), json) : 0;
    }
    case 'pull': {
      const view = request.projectIds
        ? await updates.create({
            projectIds: request.projectIds,
            jobId: request.jobId,
            payload: { type: 'Update', projectIds: request.projectIds },
            source: 'api',
            dryRun: request.dryRun,
          })
        : await updates.pollNow(request.jobId, request.dryRun);
      console.error(`CRM update request ${view.id}: ${view.workflowId} (${view.temporalUiUrl})`);
      return request.wait ? report(await follow(() => updates.get(view.id)), json) : 0;
    }
  }
}

/** Waits for a request to end, showing its status while it runs. */
async function follow<T extends { status: RequestStatus }>(get: () => Promise<T>): Promise<T> {
  const bar = new Progress();
  for (let i = 0; ; i++) {
    const view = await get();
    if (view.status === 'done' || view.status === 'failed') {
      bar.end();
      return view;
    }
    bar.update(view.status, 0, 1);
    await new Promise((r) => setTimeout(r, Math.min(2000, 200 + i * 100)));
  }
}

function report(
  view: { id: number; status: RequestStatus; error: string | null; result: Record<string, unknown> | null },
  json: boolean,
): number {
  if (json) console.log(JSON.stringify(view, null, 2));
  else
    console.log(
      table([{ id: view.id, status: view.status, ...(view.result ?? {}), error: view.error }].map(flat), [
        'id',
        'status',
        'mode',
        'projectId',
        'projects',
        'fieldsWritten',
        'notesAdded',
        'written',
        'errors',
        'error',
      ]),
    );
  return view.status === 'done' && Number(view.result?.errors ?? 0) === 0 ? 0 : 1;
}

const flat = (row: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(row).map(([k, v]) => [
      k,
      Array.isArray(v) ? v.join(',') : typeof v === 'object' && v !== null ? JSON.stringify(v) : v,
    ]),
  );
