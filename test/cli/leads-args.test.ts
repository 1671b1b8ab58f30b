import { describe, expect, it } from 'vitest';
import { parseLeadsRequest } from '../../cli/commands/leads.js';
import { UsageError } from '../../cli/usage.js';

type Flags = Parameters<typeof parseLeadsRequest>[2];

describe('crm-sync leads: argument rules', () => {
  it.each<[string, string | undefined, string[], Flags, string]>([
    ['no command', undefined, [], {}, 'leads needs a command'],
    ['an unknown command', 'sync', [], {}, 'unknown command "leads sync"'],
    ['resolve without FIELD', 'resolve', ['1'], {}, 'needs ID and FIELD'],
    ['a lead id that is not a number', 'resolve', ['x', 'phone'], { take: 'local' }, 'ID must be a lead id'],
    ['a lead id in exponent notation', 'resolve', ['1e3', 'phone'], { take: 'local' }, 'ID must be a lead id'],
    ['an unknown field', 'resolve', ['1', 'nickname'], { take: 'local' }, 'FIELD must be one of'],
    ['an unknown --take', 'resolve', ['1', 'phone'], { take: 'maybe' }, '--take must be local, crm or value'],
    [
      '--take value without --value',
      'resolve',
      ['1', 'phone'],
      { take: 'value' },
      '--value is given exactly when --take value',
    ],
    [
      '--value without --take value',
      'resolve',
      ['1', 'phone'],
      { take: 'crm', value: 'x' },
      '--value is given exactly when --take value',
    ],
    ['push --id that is not an id', 'push', [], { id: 'abc' }, '--id must be a lead id'],
    ['push --id 0', 'push', [], { id: '0' }, '--id must be a lead id'],
    ['push --id with --dry-run', 'push', [], { id: '3', 'dry-run': true }, 'does not take --id'],
    ['a stray argument to pull', 'pull', ['extra'], {}, 'unexpected argument "extra"'],
  ])('refuses %s', (_name, sub, args, flags, message) => {
    expect(() => parseLeadsRequest(sub, args, flags)).toThrow(UsageError);
    expect(() => parseLeadsRequest(sub, args, flags)).toThrow(message);
  });

  it('reads each command into its request', () => {
    expect(parseLeadsRequest('pull', [], { connection: 'z', full: true })).toEqual({
      command: 'pull',
      connectionId: 'z',
      dryRun: false,
      full: true,
    });
    expect(parseLeadsRequest('push', [], { 'dry-run': true })).toEqual({
      command: 'push',
      connectionId: undefined,
      dryRun: true,
    });
    expect(parseLeadsRequest('push', [], { id: '42' })).toEqual({
      command: 'push',
      connectionId: undefined,
      dryRun: false,
      leadId: 42,
    });
    expect(parseLeadsRequest('conflicts', [], { connection: 'z' })).toEqual({
      command: 'conflicts',
      connectionId: 'z',
    });
    expect(parseLeadsRequest('resolve', ['7', 'phone'], { take: 'value', value: '+1 555' })).toEqual({
      command: 'resolve',
      leadId: 7,
      field: 'phone',
      take: 'value',
      value: '+1 555',
    });
    expect(parseLeadsRequest('resolve', ['7', 'status'], { take: 'crm' })).toEqual({
      command: 'resolve',
      leadId: 7,
      field: 'status',
      take: 'crm',
      value: null,
    });
  });
});
