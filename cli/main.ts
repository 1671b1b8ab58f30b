import { parseArgs } from 'node:util';
import { ConfigError, loadDotEnv } from '../config/env.js';
import { UnknownConnectionError, WrongProviderError } from '../domain/errors.js';
import { BadRequest, NotFound } from '../services/errors.js';
import { connectionsCommand } from './commands/connections.js';
import { leadsCommand } from './commands/leads.js';
import { syncCommand } from './commands/sync.js';
import { syncsCommand } from './commands/syncs.js';
import { siCommand } from './commands/si.js';
import { transferCommand } from './commands/transfer.js';
import { extractCommand } from './commands/extract.js';
import { recordsCommand } from './commands/records.js';
import { CliContext } from './context.js';
import { USAGE, UsageError } from './usage.js';

/** `crm-sync`: exit 0 on success, 1 when some items failed, 2 on bad usage or configuration. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        file: { type: 'string' },
        all: { type: 'boolean' },
        'no-wait': { type: 'boolean' },
        json: { type: 'boolean' },
        kind: { type: 'string' },
        connection: { type: 'string' },
        status: { type: 'string' },
        limit: { type: 'string' },
        provider: { type: 'string' },
        files: { type: 'string', multiple: true },
        deals: { type: 'string', multiple: true },
        full: { type: 'boolean' },
        download: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        id: { type: 'string' },
        deal: { type: 'string' },
        job: { type: 'string' },
        'record-id': { type: 'string' },
        project: { type: 'string', multiple: true },
        take: { type: 'string' },
        value: { type: 'string' },
        domains: { type: 'string', multiple: true },
        format: { type: 'string', multiple: true },
        out: { type: 'string' },
        bom: { type: 'boolean' },
        'no-export': { type: 'boolean' },
        domain: { type: 'string' },
        key: { type: 'string' },
        set: { type: 'string', multiple: true },
        'key-to-update': { type: 'string' },
        'update-value': { type: 'string' },
        yes: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return usageError((err as Error).message);
  }
  const [group, sub, ...rest] = parsed.positionals;
  if (parsed.values.help || group === 'help' || !group) {
    console.log(USAGE);
    return group || parsed.values.help ? 0 : 2;
  }
  let ctx: CliContext | undefined;
  try {
    ctx = new CliContext();
    if (group === 'connections') return await connectionsCommand(ctx, sub, rest, parsed.values);
    if (group === 'syncs') return await syncsCommand(ctx, sub, rest, parsed.values);
    if (group === 'sync') return await syncCommand(ctx, sub, rest, parsed.values);
    if (group === 'leads') return await leadsCommand(ctx, sub, rest, parsed.values);
    if (group === 'si') return await siCommand(ctx, sub, rest, parsed.values);
    if (group === 'transfer') return await transferCommand(ctx, sub, rest, parsed.values);
    if (group === 'records') return await recordsCommand(ctx, sub, rest, parsed.values);
    if (group === 'extract') return await extractCommand(ctx, sub === undefined ? rest : [sub, ...rest], parsed.values);
    throw new UsageError(`unknown command "${group}"`);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (
      err instanceof NotFound ||
      err instanceof BadRequest ||
      err instanceof UnknownConnectionError ||
      err instanceof WrongProviderError
    ) {
      console.error(`crm-sync: ${err.message}`);
      return 2;
    }
    console.error(`crm-sync: ${(err as Error).message}`);
    return 1;
  } finally {
    await ctx?.close();
  }
}

function usageError(message: string): number {
  console.error(`crm-sync: ${message}\n\n${USAGE}`);
  return 2;
}

loadDotEnv();
process.exitCode = await main(process.argv.slice(2));
