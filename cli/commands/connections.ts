import { loadConnectionsFile } from '../../config/connections.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncsService, type SyncView } from '../../services/syncs.service.js';
import type { CliContext } from '../context.js';
import { Progress, table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

export async function connectionsCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  switch (sub) {
    case 'apply':
    case 'setup':
      return apply(ctx, flags);
    case 'list':
      return list(ctx, flags);
    case 'check':
      return check(ctx, args, flags);
    default:
      throw new UsageError(
        sub ? `unknown command "connections ${sub}"` : 'connections needs a command: apply, list or check',
      );
  }
}

async function apply(ctx: CliContext, flags: Flags): Promise<number> {
  const file = typeof flags.file === 'string' ? flags.file : ctx.env.CONNECTIONS_FILE;
  const doc = await loadConnectionsFile(file);
  const orm = await ctx.db();
  const { created, updated } = await new ConnectionsRepository(orm.em.fork()).apply(doc.connections, doc.jobs);
  console.log(
    `applied ${file}: ${created.length} created${created.length ? ` (${created.join(', ')})` : ''}, ${updated.length} updated${updated.length ? ` (${updated.join(', ')})` : ''}`,
  );
  return 0;
}

async function list(ctx: CliContext, flags: Flags): Promise<number> {
  const rows = await new ConnectionsRepository((await ctx.db()).em.fork()).list();
  const view = rows.map((r) => ({
    id: r.id,
    provider: r.provider,
    region: r.region ?? '',
    api: r.baseUrls.api ?? r.baseUrls.accounts ?? '',
  }));
  console.log(flags.json ? JSON.stringify(view, null, 2) : table(view, ['id', 'provider', 'region', 'api']));
  return 0;
}

async function check(ctx: CliContext, ids: string[], flags: Flags): Promise<number> {
  if (flags.all && ids.length) throw new UsageError('give connection ids or --all, not both');
  const orm = await ctx.db();
  const targets = flags.all ? (await new ConnectionsRepository(orm.em.fork()).list()).map((r) => r.id) : ids;
  if (targets.length === 0)
    throw new UsageError(
      flags.all
        ? 'there are no connections; run "crm-sync connections apply" first'
        : 'connections check needs an ID or --all',
    );
  const syncs = new SyncsService(await ctx.temporal(), () => orm.em.fork());
  const started = [];
  for (const id of targets) started.push({ id, ...(await syncs.startConnectionCheck(id)) });
  if (flags['no-wait']) {
    for (const s of started) console.log(`${s.id}: started ${s.workflowId} (${s.temporalUiUrl})`);
    return 0;
  }
  const progress = new Progress();
  let done = 0;
  const results: SyncView[] = await Promise.all(
    started.map(async (s) => {
      const view = await syncs.wait(s.workflowId);
      progress.update(s.id, ++done, started.length);
      return view;
    }),
  );
  progress.end();
  if (flags.json) console.log(JSON.stringify(results, null, 2));
  else
    for (const r of results)
      console.log(
        `${r.connectionId ?? r.workflowId}: ${r.status}${r.error ? ` — ${r.error}` : ''}  ${r.temporalUiUrl}`,
      );
  return results.every((r) => r.status === 'completed') ? 0 : 1;
}
