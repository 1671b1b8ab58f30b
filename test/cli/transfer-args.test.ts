import { describe, expect, it } from 'vitest';
import { parseTransfer } from '../../cli/commands/transfer.js';
import { UsageError } from '../../cli/usage.js';

type Flags = Parameters<typeof parseTransfer>[2];

describe('crm-sync transfer: argument rules', () => {
  it.each<[string, string | undefined, string[], Flags, string]>([
    ['no target', undefined, [], {}, 'transfer needs a target: workdrive'],
    ['an unknown target', 'dropbox', [], {}, 'unknown command "transfer dropbox"'],
    ['a stray argument', 'workdrive', ['now'], {}, 'unexpected argument "now"'],
    ['a record id that is no id', 'workdrive', [], { 'record-id': '../1' }, '--record-id must be a CRM record id'],
    ['a limit that is no number', 'workdrive', [], { limit: '1e3' }, '--limit must be a whole number'],
    ['a limit of 0', 'workdrive', [], { limit: '0' }, '--limit must be at least 1'],
    ['an empty job', 'workdrive', [], { job: ' ' }, '--job needs a value'],
    ['both --limit and --record-id', 'workdrive', [], { limit: '2', 'record-id': '12' }, 'do not go together'],
  ])('refuses %s', (_name, sub, args, flags, message) => {
    expect(() => parseTransfer(sub, args, flags)).toThrow(UsageError);
    expect(() => parseTransfer(sub, args, flags)).toThrow(message);
  });

  it('reads the options into a request', () => {
    expect(parseTransfer('workdrive', [], {})).toEqual({
      jobId: undefined,
      dryRun: false,
      recordId: undefined,
      limit: undefined,
      wait: true,
    });
    expect(parseTransfer('workdrive', [], { job: 'j1', 'dry-run': true, limit: '5', 'no-wait': true })).toEqual({
      jobId: 'j1',
      dryRun: true,
      recordId: undefined,
      limit: 5,
      wait: false,
    });
    expect(parseTransfer('workdrive', [], { 'record-id': '5725767000000000074' }).recordId).toBe('5725767000000000074');
  });
});
