import { LEAD_FIELDS, type LeadField } from '../../domain/lead-fields.js';
import { LeadsService } from '../../services/leads.service.js';
import { type StartedSync, SyncsService, type SyncView } from '../../services/syncs.service.js';
import type { CliContext } from '../context.js';
import { table } from '../output.js';
import { UsageError } from '../usage.js';
import { isId } from '../../domain/input-rules.js';

type Flags = Record<string, string | boolean | string[] | undefined>;
const TAKES = ['local', 'crm', 'value'] as const;

export type LeadsRequest =
  | { command: 'pull'; connectionId?: string; dryRun: boolean; full: boolean }
  | { command: 'push'; connectionId?: string; dryRun: boolean; leadId?: number }
  | { command: 'conflicts'; connectionId?: string }
  | { command: 'resolve'; leadId: number; field: LeadField; take: (typeof TAKES)[number]; value: string | null };

/**
 * Reads `leads …` arguments into a request, or throws a UsageError. Pure: bad usage is answered before anything
 * is opened, so a typo costs no database or Temporal connection.
 */
export function parseLeadsRequest(sub: string | undefined, args: string[], flags: Flags): LeadsRequest {
  const connectionId = typeof flags.connection === 'string' ? flags.connection : undefined;
  switch (sub) {
    case 'pull':
      none(args);
      return { command: 'pull', connectionId, dryRun: !!flags['dry-run'], full: !!flags.full };
    case 'push': {
      none(args);
      if (flags.id === undefined) return { command: 'push', connectionId, dryRun: !!flags['dry-run'] };
      if (flags['dry-run']) throw new UsageError('--dry-run pushes every pending lead; it does not take --id');
      return { command: 'push', connectionId, dryRun: false, leadId: positiveId(String(flags.id), '--id') };
    }
    case 'conflicts':
      none(args);
      return { command: 'conflicts', connectionId };
    case 'resolve': {
      if (args.length !== 2) throw new UsageError('leads resolve needs ID and FIELD');
      const leadId = positiveId(args[0]!, 'ID');
      const field = args[1] as LeadField;
      if (!(LEAD_FIELDS as readonly string[]).includes(field))
        throw new UsageError(`FIELD must be one of ${LEAD_FIELDS.join(', ')}`);
      const take = flags.take as (typeof TAKES)[number];
      if (!TAKES.includes(take)) throw new UsageError('--take must be local, crm or value');
      if ((take === 'value') !== (typeof flags.value === 'string'))
        throw new UsageError('--value is given exactly when --take value');
      return { command: 'resolve', leadId, field, take, value: typeof flags.value === 'string' ? flags.value : null };
    }
    default:
      throw new UsageError(
        sub ? `unknown command "leads ${sub}"` : 'leads needs a command: pull, push, conflicts or resolve',
      );
  }
}

/** `crm-sync leads pull | push [--id ID] | conflicts | resolve ID FIELD --take local|crm|value [--value V]`. */
export async function leadsCommand(
  ctx: CliContext,
  sub: string | undefined,
  args: string[],
  flags: Flags,
): Promise<number> {
  const request = parseLeadsRequest(sub, args, flags);
  const orm = await ctx.db();
  const em = () => orm.em.fork();
  const syncs = new SyncsService(await ctx.temporal(), em);
  const leads = new LeadsService(em, syncs, (msg) => console.error(msg));
  switch (request.command) {
    case 'pull': {
      const started = await syncs.startLeadPull(request);
      return finish(syncs, started, flags, [
        'received',
        'created',
        'updated',
        'linked',
        'conflicts',
        'unchanged',
        'deleted',
        'detached',
        'errors',
        'pendingPush',
      ]);
    }
    case 'push': {
      const started: StartedSync =
        request.leadId !== undefined ? await leads.push(request.leadId) : await syncs.startLeadPush(request);
      return finish(syncs, started, flags, ['batches', 'created', 'updated', 'deleted', 'unchanged', 'errors']);
    }
    case 'conflicts': {
      const page = await leads.conflicts(request.connectionId, 200);
      if (flags.json) {
        console.log(JSON.stringify(page, null, 2));
        return 0;
      }
      const fields = page.items.filter((i) => i.kind === 'field');
      const owners = page.items.filter((i) => i.kind === 'ownership');
      if (fields.length || !owners.length)
        console.log(
          table(fields as unknown as Array<Record<string, unknown>>, [
            'leadId',
            'field',
            'localValue',
            'remoteValue',
            'baseValue',
            'detectedAt',
          ]),
        );
      if (owners.length) {
        console.log('\nLeads held in error by an ownership clash:');
        console.log(table(owners as unknown as Array<Record<string, unknown>>, ['leadId', 'code', 'reason']));
      }
      return 0;
    }
    case 'resolve': {
      const lead = await leads.resolve(request.leadId, request.field, request.take, request.value);
      console.log(
        flags.json
          ? JSON.stringify(lead, null, 2)
          : `lead ${lead.id}: ${request.field} = ${String(lead[request.field])} (${lead.syncState})`,
      );
      return 0;
    }
  }
}

async function finish(syncs: SyncsService, started: StartedSync, flags: Flags, columns: string[]): Promise<number> {
  console.error(`started ${started.workflowId} (${started.temporalUiUrl})`);
  if (flags['no-wait']) return 0;
  const view: SyncView = await syncs.wait(started.workflowId);
  if (flags.json) console.log(JSON.stringify(view, null, 2));
  else console.log(table([{ status: view.status, ...(view.result ?? {}) }], ['status', ...columns]));
  if (view.status !== 'completed') {
    console.error(`${view.workflowId} ${view.status}: ${view.error ?? ''}`);
    return 1;
  }
  return Number((view.result as { errors?: number } | null)?.errors ?? 0) > 0 ? 1 : 0;
}

function none(args: string[]): void {
  if (args.length) throw new UsageError(`unexpected argument "${args[0]}"`);
}

function positiveId(raw: string, name: string): number {
  // Digits only: Number() would also take `1e3`, `0x10` and ` 1 `.
  const id = /^[0-9]{1,16}$/.test(raw) ? Number(raw) : NaN;
  if (!isId(id)) throw new UsageError(`${name} must be a lead id (a positive whole number)`);
  return id;
}
