import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { timestamp } from '../../domain/workdrive-transfer.js';
import { SyncsService } from '../../services/syncs.service.js';
import { type TransferRecordView, TransfersService } from '../../services/transfers.service.js';
import type { CliContext } from '../context.js';
import { Progress, retryLines, table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

export interface TransferRequest {
  jobId?: string;
  dryRun: boolean;
  recordId?: string;
  limit?: number;
  wait: boolean;
}

/** Reads `transfer workdrive …` into a request, or throws a UsageError; pure, so bad usage opens nothing. */
export function parseTransfer(sub: string | undefined, args: string[], flags: Flags): TransferRequest {
  if (sub !== 'workdrive')
    throw new UsageError(sub ? `unknown command "transfer ${sub}"` : 'transfer needs a target: workdrive');
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  const str = (name: string) => {
    const v = flags[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} needs a value`);
    return v;
  };
  const recordId = str('record-id');
  if (recordId !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(recordId))
    throw new UsageError('--record-id must be a CRM record id (letters, digits, - and _)');
  const limitText = str('limit');
  if (limitText !== undefined && !/^\d{1,6}$/.test(limitText)) throw new UsageError('--limit must be a whole number');
  const limit = limitText === undefined ? undefined : Number(limitText);
  if (limit === 0) throw new UsageError('--limit must be at least 1');
  if (limit !== undefined && recordId !== undefined) throw new UsageError('--limit and --record-id do not go together');
  return { jobId: str('job'), dryRun: flags['dry-run'] === true, recordId, limit, wait: !flags['no-wait'] };
}

/**
 * The existing script's log: `logs/migration_YYYYMMDD.log` (LOG_DIR), appended line by line; it holds record ids,
 * names, folders and outcomes, never a token (the CLI has none: workers hold the credentials).
 */
class TransferLog {
  readonly path: string;
  constructor(dir: string, timeZone: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, `migration_${timestamp(new Date(), timeZone).slice(0, 8)}.log`);
  }
  line(text: string, toConsole = true): void {
    appendFileSync(this.path, `${new Date().toISOString()} ${text}\n`);
    if (toConsole) console.log(text);
  }
}

function recordLines(r: TransferRecordView): string[] {
  const who = `record ${r.recordId}${r.name ? ` "${r.name}"` : ''}`;
  const folder = r.folder ? `folder "${r.folder.name ?? ''}" (${r.folder.id})` : 'no folder';
  const fields = r.destination ? `; org B fields ${r.destination}` : '';
  const lines = [`${who}: ${folder}${fields}; ${r.state}${r.reason ? ` (${r.reason})` : ''}`];
  for (const f of r.files)
    lines.push(`  ${f.fileName} → ${f.finalName ?? '-'}: ${f.outcome}${f.reason ? ` (${f.reason})` : ''}`);
  return lines;
}

const count = (records: TransferRecordView[], f: (r: TransferRecordView) => number) =>
  records.reduce((n, r) => n + f(r), 0);

/** `crm-sync transfer workdrive [--job NAME] [--dry-run] [--record-id ID] [--limit N] [--no-wait] [--json]`. */
export async function transferCommand(ctx: CliContext, sub: string | undefined, args: string[], flags: Flags) {
  const request = parseTransfer(sub, args, flags);
  const orm = await ctx.db();
  const em = () => orm.em.fork();
  const syncs = new SyncsService(await ctx.temporal(), em);
  const transfers = new TransfersService(syncs, em);
  const job = await transfers.job(request.jobId);
  const started = await transfers.start({ ...request, jobId: job.id });
  const log = new TransferLog(ctx.env.LOG_DIR, job.timeZone);
  log.line(
    `transfer ${job.id}${request.dryRun ? ' (dry run)' : ''}: ${started.workflowId} run ${started.runId} — ${started.temporalUiUrl}`,
    flags.json !== true,
  );
  if (!request.wait) return 0;

  const progress = new Progress();
  const reported = new Set<string>();
  const allRecords = async () => {
    const out: TransferRecordView[] = [];
    for (let afterSeq: number | undefined; ;) {
      const page = await transfers.get(started.workflowId, { limit: 1000, afterSeq });
      out.push(...page.records);
      if (page.records.length < 1000) return { view: page, records: out };
      afterSeq = page.records.at(-1)!.seq;
    }
  };
  let warned = '';
  for (;;) {
    const { view, records } = await allRecords();
    for (const r of records)
      if (r.state !== 'pending' && !reported.has(r.recordId)) {
        reported.add(r.recordId);
        progress.end();
        for (const line of recordLines(r)) log.line(line, !flags.json);
      }
    const retrying = retryLines(view).join('\n');
    if (retrying && retrying !== warned) console.error((warned = retrying));
    progress.update(view.progress?.phase ?? view.status, reported.size, view.progress?.total ?? records.length);
    if (view.status !== 'running') {
      progress.end();
      return summary(log, view.status, view.error, records, flags.json === true, request.dryRun);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

function summary(
  log: TransferLog,
  status: string,
  error: string | null,
  records: TransferRecordView[],
  json: boolean,
  dryRun: boolean,
): number {
  const ok = (r: TransferRecordView) => r.state === 'done' || (dryRun && r.state === 'planned');
  const rows = records.map((r) => ({
    record: r.recordId,
    name: r.name,
    state: r.state,
    folder: r.folder?.name ?? '',
    files: r.files.length,
    uploaded: r.files.filter((f) => f.outcome === 'uploaded' || f.outcome === 'renamed').length,
    renamed: r.files.filter((f) => f.outcome === 'renamed').length,
    already: r.files.filter((f) => f.outcome === 'already-there').length,
    failed: r.files.filter((f) => f.outcome === 'failed').length,
    planned: r.files.filter((f) => f.outcome === 'planned').length,
    checkbox: r.checkboxSet ? 'ticked' : '',
  }));
  const totals = {
    records: records.length,
    succeeded: records.filter(ok).length,
    skipped: records.filter((r) => r.state === 'skipped').length,
    partial: records.filter((r) => r.state === 'partial').length,
    failed: records.filter((r) => r.state === 'failed').length,
    filesUploaded: count(
      records,
      (r) => r.files.filter((f) => f.outcome === 'uploaded' || f.outcome === 'renamed').length,
    ),
    filesFailed: count(records, (r) => r.files.filter((f) => f.outcome === 'failed').length),
  };
  if (json) console.log(JSON.stringify({ status, error, totals, records }, null, 2));
  else console.log(`\n${table(rows, Object.keys(rows[0] ?? { record: '' }))}`);
  log.line(
    `summary: ${status}; ${Object.entries(totals)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}${error ? `; error: ${error}` : ''}`,
    !json,
  );
  log.line(`log: ${log.path}`, !json);
  if (status !== 'completed') return 1;
  return records.every(ok) ? 0 : 1;
}
