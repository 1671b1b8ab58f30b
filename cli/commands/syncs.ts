import { SYNC_RUN_STATUSES, type SyncRunStatus } from '../../db/entities/index.js';
import { SyncsService } from '../../services/syncs.service.js';
import type { CliContext } from '../context.js';
import { retryLines, table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

export async function syncsCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  const orm = await ctx.db();
  const syncs = new SyncsService(await ctx.temporal(), () => orm.em.fork());
  switch (sub) {
    case 'list': {
      const status = flags.status as string | undefined;
      if (status && !(SYNC_RUN_STATUSES as readonly string[]).includes(status))
        throw new UsageError(`--status must be one of ${SYNC_RUN_STATUSES.join(', ')}`);
      const limit = flags.limit === undefined ? 20 : Number(flags.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 200)
        throw new UsageError('--limit must be a whole number from 1 to 200');
      const page = await syncs.list(
        {
          kind: flags.kind as string | undefined,
          connectionId: flags.connection as string | undefined,
          status: status as SyncRunStatus | undefined,
        },
        limit,
      );
      console.log(
        flags.json
          ? JSON.stringify(page, null, 2)
          : table(page.items, ['workflowId', 'kind', 'connectionId', 'status', 'startedAt', 'finishedAt']),
      );
      return 0;
    }
    case 'show': {
      const id = one(args, 'syncs show needs a WORKFLOW_ID');
      const view = await syncs.get(id);
      if (flags.json) {
        console.log(JSON.stringify(view, null, 2));
        return 0;
      }
      const { pendingActivities, ...rest } = view;
      console.log(
        Object.entries(rest)
          .map(([k, v]) => `${k.padEnd(14)}${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
          .join('\n'),
      );
      for (const a of pendingActivities)
        console.log(
          `${'activity'.padEnd(14)}${a.activityType} ${a.state}, attempt ${a.attempt}${a.maximumAttempts ? ` of ${a.maximumAttempts}` : ''}`,
        );
      for (const line of retryLines(view)) console.log(`${'retrying'.padEnd(14)}${line.replace(/^retrying /, '')}`);
      return 0;
    }
    case 'cancel': {
      const view = await syncs.cancel(one(args, 'syncs cancel needs a WORKFLOW_ID'));
      console.log(
        view.status === 'running'
          ? `cancellation requested for ${view.workflowId}`
          : `${view.workflowId} is already ${view.status}`,
      );
      return 0;
    }
    default:
      throw new UsageError(sub ? `unknown command "syncs ${sub}"` : 'syncs needs a command: list, show or cancel');
  }
}

function one(args: string[], message: string): string {
  if (args.length !== 1) throw new UsageError(message);
  return args[0]!;
}
