import { createWriteStream } from 'node:fs';
import { mkdir, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { EXTRACT_DOMAINS, type ExtractDomain } from '../../domain/extract-fields.js';
import { EXPORT_FORMATS, type ExportFormat } from '../../services/export-format.js';
import { ExtractService } from '../../services/extract.service.js';
import { SyncsService, type SyncView } from '../../services/syncs.service.js';
import type { CliContext } from '../context.js';
import { Progress, table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

const COLUMNS = ['connection', 'status', 'received', 'created', 'updated', 'unchanged', 'rejected', 'removed'];

const list = (v: Flags[string]): string[] =>
  (Array.isArray(v) ? v : typeof v === 'string' ? [v] : [])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);

export interface ExtractRequest {
  connectionId?: string;
  domains: ExtractDomain[];
  formats: ExportFormat[];
  out: string;
  full: boolean;
  bom: boolean;
  /** Only run the extract; write no files. */
  noExport: boolean;
}

/** Reads `extract …` arguments into a request, or throws a UsageError; pure, so bad usage opens nothing. */
export function parseExtractRequest(args: string[], flags: Flags): ExtractRequest {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  if (!!flags.all === (typeof flags.connection === 'string'))
    throw new UsageError('extract needs exactly one of --connection ID, --all');
  const domains = list(flags.domains);
  const unknownDomain = domains.find((d) => !(EXTRACT_DOMAINS as readonly string[]).includes(d));
  if (unknownDomain) throw new UsageError(`--domains takes ${EXTRACT_DOMAINS.join(', ')}; not "${unknownDomain}"`);
  const formats = list(flags.format);
  const unknownFormat = formats.find((f) => !(EXPORT_FORMATS as readonly string[]).includes(f));
  if (unknownFormat) throw new UsageError(`--format takes ${EXPORT_FORMATS.join(', ')}; not "${unknownFormat}"`);
  if (flags.out !== undefined && (typeof flags.out !== 'string' || flags.out.trim() === ''))
    throw new UsageError('--out needs a directory');
  return {
    connectionId: typeof flags.connection === 'string' ? flags.connection : undefined,
    domains: (domains.length ? [...new Set(domains)] : [...EXTRACT_DOMAINS]) as ExtractDomain[],
    formats: (formats.length ? [...new Set(formats)] : ['json', 'csv']) as ExportFormat[],
    out: typeof flags.out === 'string' ? flags.out : 'exports',
    full: !!flags.full,
    bom: !!flags.bom,
    noExport: !!flags['no-export'],
  };
}

/**
 * `crm-sync extract …`: runs crmExtract for the connection (or each one), shows progress, prints a table; then writes
 * one file per domain and format to --out, streamed from Postgres. Exit 1 when an extract failed.
 */
export async function extractCommand(ctx: CliContext, args: string[], flags: Flags): Promise<number> {
  const request = parseExtractRequest(args, flags);
  const orm = await ctx.db();
  const syncs = new SyncsService(await ctx.temporal(), () => orm.em.fork());
  const connections = await syncs.extractConnections(request.connectionId);
  if (connections.length === 0) throw new UsageError('no connection the extract can read (hubspot, zoho-crm)');
  const views: SyncView[] = [];
  for (const connectionId of connections) {
    const started = await syncs.startExtract({ connectionId, domains: request.domains, full: request.full });
    console.error(`started ${started.workflowId} (${started.temporalUiUrl})`);
    views.push(await follow(syncs, started.workflowId));
  }
  const ok = views.every((v) => v.status === 'completed');
  if (flags.json) console.log(JSON.stringify(views, null, 2));
  else {
    console.log(
      table(
        views.map((v) => ({ connection: v.connectionId ?? v.workflowId, status: v.status, ...(v.result ?? {}) })),
        COLUMNS,
      ),
    );
    for (const v of views) if (v.error) console.log(`${v.connectionId}: ${v.error}`);
    const rejected = views.reduce((n, v) => n + Number((v.result as { rejected?: number } | null)?.rejected ?? 0), 0);
    if (rejected) console.log(`${rejected} records rejected: see GET /extract/rejects for each one's field and reason`);
  }
  if (!ok || request.noExport) return ok ? 0 : 1;
  const extract = new ExtractService(() => orm.em.fork());
  const dir = resolve(request.out);
  await mkdir(dir, { recursive: true });
  for (const domain of request.domains)
    for (const format of request.formats) {
      const path = join(dir, `${domain}.${format}`);
      const rows = await writeExport(extract, domain, format, path, request);
      console.error(`wrote ${path} (${rows} rows)`);
    }
  return 0;
}

/** Written beside the target and renamed, so a reader never sees half a file. */
async function writeExport(
  extract: ExtractService,
  domain: ExtractDomain,
  format: ExportFormat,
  path: string,
  request: ExtractRequest,
): Promise<number> {
  const filter = { connectionId: request.connectionId };
  const total = await extract.count(domain, filter);
  const bar = new Progress();
  let done = 0;
  const chunks = extract.export(domain, format, {
    ...filter,
    bom: request.bom,
    onRows: (n) => {
      done += n;
      bar.update(`${domain}.${format}`, done, total);
    },
  });
  const partial = `${path}.partial`;
  await pipeline(Readable.from(chunks), createWriteStream(partial));
  await rename(partial, path);
  bar.end();
  return done;
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
    if (v?.progress) bar.update(`${workflowId} ${v.progress.phase}`, v.progress.done, v.progress.done + 1);
    await Promise.race([done, new Promise((r) => setTimeout(r, 500))]);
  }
  bar.end();
  return done;
}
