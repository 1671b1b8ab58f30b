import { EXTRACT_DOMAINS, type ExtractDomain } from '../../domain/extract-fields.js';
import { parseAssignments, UpdateInputError } from '../../domain/extract-update.js';
import { RecordsService, type RecordsUpdateRequest } from '../../services/records.service.js';
import { SyncsService } from '../../services/syncs.service.js';
import type { RecordsUpdateResult } from '../../workflows/extract-definitions.js';
import type { CliContext } from '../context.js';
import { table } from '../output.js';
import { UsageError } from '../usage.js';

type Flags = Record<string, string | boolean | string[] | undefined>;

const many = (v: Flags[string]): string[] => (Array.isArray(v) ? v : typeof v === 'string' ? [v] : []);

/**
 * Reads `records update …` into a request, or throws a UsageError; pure, so bad usage opens nothing. The analysts'
 * toolkit's `--key-to-update F --update-value V` is the same as `--set F=V`.
 */
export function parseRecordsUpdate(
  sub: string | undefined,
  args: string[],
  flags: Flags,
): RecordsUpdateRequest & { dryRun: boolean; yes: boolean } {
  if (sub !== 'update')
    throw new UsageError(sub ? `unknown command "records ${sub}"` : 'records needs a command: update');
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
  const domain = flags.domain;
  if (typeof domain !== 'string' || !(EXTRACT_DOMAINS as readonly string[]).includes(domain))
    throw new UsageError(`--domain must be one of ${EXTRACT_DOMAINS.join(', ')}`);
  if (typeof flags.key !== 'string' || typeof flags.value !== 'string')
    throw new UsageError('records update needs --key FIELD and --value V (the records to change)');
  const pairs = many(flags.set);
  const legacyField = flags['key-to-update'];
  const legacyValue = flags['update-value'];
  if ((legacyField === undefined) !== (legacyValue === undefined))
    throw new UsageError('--key-to-update and --update-value go together');
  if (typeof legacyField === 'string') pairs.push(`${legacyField}=${String(legacyValue)}`);
  if (pairs.length === 0) throw new UsageError('records update needs at least one --set FIELD=VALUE');
  let set: Record<string, string | null>;
  try {
    set = parseAssignments(pairs);
  } catch (err) {
    if (err instanceof UpdateInputError) throw new UsageError(err.message);
    throw err;
  }
  return {
    connectionId: typeof flags.connection === 'string' ? flags.connection : undefined,
    domain: domain as ExtractDomain,
    key: flags.key,
    value: flags.value,
    set,
    dryRun: !!flags['dry-run'],
    yes: !!flags.yes,
  };
}

/**
 * `crm-sync records update …`: casts the values (a bad one: exit 2 naming the field and the type), finds the
 * matches (none: exit 1; several without --yes: exit 2), writes them through `recordsUpdate`, prints what the CRM
 * accepted and refused (any refusal: exit 1).
 */
export async function recordsCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  const request = parseRecordsUpdate(sub, args, flags);
  const orm = await ctx.db();
  const syncs = new SyncsService(await ctx.temporal(), () => orm.em.fork());
  const records = new RecordsService(syncs, () => orm.em.fork());
  const { plan, matched } = await records.prepare(request);
  const what = `${request.domain} with ${request.key} = ${String(plan.keyValue)}`;
  if (matched === 0) {
    console.error(`crm-sync: no ${what}`);
    return 1;
  }
  if (matched > 1 && !request.yes && !request.dryRun)
    throw new UsageError(`${matched} ${what} would change; add --yes to write them all (or --dry-run to see them)`);
  const started = await records.start(request);
  console.error(`started ${started.workflowId} (${started.temporalUiUrl})`);
  const view = await syncs.wait(started.workflowId);
  const result = (view.result ?? {}) as Partial<RecordsUpdateResult>;
  if (flags.json) console.log(JSON.stringify({ plan, ...view }, null, 2));
  else {
    console.log(
      `set ${Object.entries(plan.set)
        .map(([f, v]) => `${f} = ${JSON.stringify(v)}`)
        .join(', ')} on ${what}`,
    );
    if (request.dryRun)
      console.log(`dry run: ${result.matched ?? 0} would change: ${(result.sample ?? []).join(', ')}`);
    else console.log(table([{ status: view.status, ...result }], ['status', 'matched', 'updated', 'failed']));
    if (view.error) console.log(`error: ${view.error}`);
    if (result.failed) console.log(`refusals: crm-sync syncs show ${started.workflowId} (item events)`);
  }
  return view.status === 'completed' && !result.failed ? 0 : 1;
}
