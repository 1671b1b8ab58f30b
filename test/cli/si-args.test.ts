import { describe, expect, it } from 'vitest';
import { parseSiRequest } from '../../cli/commands/si.js';
import { UsageError } from '../../cli/usage.js';

type Flags = Parameters<typeof parseSiRequest>[2];

describe('crm-sync si: argument rules', () => {
  it.each<[string, string | undefined, string[], Flags, string]>([
    ['no command', undefined, [], {}, 'si needs a command'],
    ['an unknown command', 'send', [], {}, 'unknown command "si send"'],
    ['push without --deal', 'push', [], {}, 'si push needs --deal ID'],
    ['push with a deal id that is no id', 'push', [], { deal: '../1' }, 'si push needs --deal ID'],
    ['a stray argument', 'pull', ['now'], {}, 'unexpected argument "now"'],
    ['a project id that is no id', 'pull', [], { project: ['ok-1,bad id'] }, '--project "bad id"'],
    [
      'an unknown status',
      'requests',
      [],
      { status: 'lost' },
      '--status must be one of received, running, done, failed',
    ],
    ['replay without an id', 'replay', [], {}, 'si replay needs the id'],
    ['replay of a non-number', 'replay', ['1e3'], {}, 'si replay needs the id'],
    ['replay of 0', 'replay', ['0'], {}, 'si replay needs the id'],
  ])('refuses %s', (_name, sub, args, flags, message) => {
    expect(() => parseSiRequest(sub, args, flags)).toThrow(UsageError);
    expect(() => parseSiRequest(sub, args, flags)).toThrow(message);
  });

  it('reads each command into its request', () => {
    expect(parseSiRequest('push', [], { deal: '5725767000000000019', job: 'zo-si', 'dry-run': true })).toEqual({
      command: 'push',
      dealId: '5725767000000000019',
      jobId: 'zo-si',
      dryRun: true,
      wait: true,
    });
    expect(parseSiRequest('pull', [], { project: ['a-1,b-2', 'c-3'], 'no-wait': true })).toEqual({
      command: 'pull',
      projectIds: ['a-1', 'b-2', 'c-3'],
      jobId: undefined,
      dryRun: false,
      wait: false,
    });
    expect(parseSiRequest('pull', [], {})).toMatchObject({ command: 'pull', projectIds: undefined });
    expect(parseSiRequest('requests', [], { status: 'failed', deal: '12' })).toEqual({
      command: 'requests',
      status: 'failed',
      dealId: '12',
      jobId: undefined,
    });
    expect(parseSiRequest('replay', ['42'], {})).toEqual({ command: 'replay', requestId: 42, wait: true });
  });
});
