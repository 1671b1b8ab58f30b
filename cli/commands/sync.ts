import { SyncsService, type SyncView } from '../../services/syncs.service.js';
import type { FileCounts, FileSyncAllResult } from '../../workflows/definitions.js';
import type { CliContext } from '../context.js';
import { Progress, retryLines, table } from '../output.js';
import { UsageError } from '../usage.js';
import { FILE_PROVIDERS, type FileProvider } from '../../domain/providers.js';

type Flags = Record<string, string | boolean | string[] | undefined>;
/** `--provider` takes a provider's name or its first word (`zoho` for `zoho-crm`). */
const PROVIDERS: Record<string, FileProvider> = Object.fromEntries(
  FILE_PROVIDERS.flatMap((p) => [
    [p, p],
    [p.split('-')[0]!, p],
  ]),
);
const COLUMNS = [
  'connection',
  'status',
  'deals',
  'created',
  'updated',
  'unchanged',
  'deleted',
  'duplicates',
  'downloaded',
  'errors',
];

const list = (v: Flags[string]): string[] | undefined => {
  const values = (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
};

export interface SyncFilesRequest {
  connectionId?: string;
  all: boolean;
  provider?: FileProvider;
  fileIds?: string[];
  dealIds?: string[];
  mode: 'full' | 'incremental';
  downloadContent: boolean;
  dryRun: boolean;
}

/** Reads `sync files …` arguments into a request, or throws a UsageError; pure, so bad usage opens nothing. */
export function parseSyncFilesRequest(sub: string | undefined, args: string[], flags: Flags): SyncFilesRequest {
  if (sub !== 'files') throw new UsageError(sub ? `unknown command "sync ${sub}"` : 'sync needs a command: files');
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  const targets = [flags.all ? 1 : 0, flags.provider ? 1 : 0, flags.connection ? 1 : 0].reduce((a, b) => a + b, 0);
  if (targets !== 1)
    throw new UsageError('sync files needs exactly one of --all, --provider hubspot|zoho, --connection ID');
  const provider = typeof flags.provider === 'string' ? PROVIDERS[flags.provider] : undefined;
  if (flags.provider && !provider) throw new UsageError('--provider must be hubspot or zoho');
  const fileIds = list(flags.files);
  const dealIds = list(flags.deals);
  if ((fileIds || dealIds) && !flags.connection) throw new UsageError('--files and --deals need --connection');
  const connectionId = typeof flags.connection === 'string' ? flags.connection : undefined;
  return {
    connectionId,
    all: !connectionId,
    provider,
    fileIds,
    dealIds,
    mode: flags.full ? 'full' : 'incremental',
    downloadContent: !!flags.download,
    dryRun: !!flags['dry-run'],
  };
}

/** `crm-sync sync files …`: starts the file sync, shows progress, prints a summary; exit 1 when anything failed. */
export async function syncCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  const request = parseSyncFilesRequest(sub, args, flags);
  const orm = await ctx.db();
  const syncs = new SyncsService(await ctx.temporal(), () => orm.em.fork());
  const started = await syncs.startFileSync(request);
  console.error(`started ${started.workflowId} (${started.temporalUiUrl})`);
  const view = await follow(syncs, started.workflowId);
  return report(view, request.connectionId, !!flags.json);
}

async function follow(syncs: SyncsService, workflowId: string): Promise<SyncView> {
  const bar = new Progress();
  const done = syncs.wait(workflowId);
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const v = await syncs.get(workflowId).catch(() => undefined);
    const retrying = v ? retryLines(v)[0] : undefined;
    if (v?.progress)
      bar.update(
        retrying ?? v.progress.message ?? v.progress.phase,
        v.progress.done,
        v.progress.total ?? v.progress.done + 1,
      );
    await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
  }
  bar.end();
  return done;
}

function report(view: SyncView, connectionId: string | undefined, json: boolean): number {
  if (json) console.log(JSON.stringify(view, null, 2));
  const row = (connection: string, status: string, c?: Partial<FileCounts>) => ({ connection, status, ...c });
  let rows: Array<Record<string, unknown>>;
  let ok = view.status === 'completed';
  if (view.kind === 'file-sync-all' && view.result) {
    const result = view.result as unknown as FileSyncAllResult;
    rows = result.connections.map((c) => row(c.connectionId, c.status, c.counts));
    ok = ok && result.connections.every((c) => c.status !== 'failed' && (c.counts?.errors ?? 0) === 0);
  } else {
    const counts = (view.result ?? {}) as Partial<FileCounts>;
    rows = [row(connectionId ?? view.workflowId, view.status, counts)];
    ok = ok && (counts.errors ?? 0) === 0;
  }
  if (!json) {
    console.log(table(rows, COLUMNS));
    if (view.error) console.log(`error: ${view.error}`);
  }
  return ok ? 0 : 1;
}
