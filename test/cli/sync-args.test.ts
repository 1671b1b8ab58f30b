import { describe, expect, it } from 'vitest';
import { parseSyncFilesRequest } from '../../cli/commands/sync.js';
import { UsageError } from '../../cli/usage.js';

type Flags = Parameters<typeof parseSyncFilesRequest>[2];

describe('crm-sync sync files: argument rules', () => {
  it.each<[string, string | undefined, string[], Flags, string]>([
    ['no command', undefined, [], {}, 'sync needs a command: files'],
    ['an unknown command', 'stuff', [], {}, 'unknown command "sync stuff"'],
    ['a stray argument', 'files', ['now'], { all: true }, 'unexpected argument "now"'],
    ['no target', 'files', [], {}, 'exactly one of --all, --provider'],
    ['two targets', 'files', [], { all: true, connection: 'x' }, 'exactly one of --all, --provider'],
    ['an unknown provider', 'files', [], { provider: 'salesforce' }, '--provider must be hubspot or zoho'],
    ['--files without --connection', 'files', [], { all: true, files: ['1'] }, '--files and --deals need --connection'],
    [
      '--deals without --connection',
      'files',
      [],
      { provider: 'zoho', deals: ['7'] },
      '--files and --deals need --connection',
    ],
  ])('refuses %s', (_name, sub, args, flags, message) => {
    expect(() => parseSyncFilesRequest(sub, args, flags)).toThrow(UsageError);
    expect(() => parseSyncFilesRequest(sub, args, flags)).toThrow(message);
  });

  it('reads a request: targets, comma lists, mode and switches', () => {
    expect(
      parseSyncFilesRequest('files', [], {
        connection: 'hs',
        files: ['1,2', ' 3 '],
        deals: ['9'],
        full: true,
        download: true,
      }),
    ).toEqual({
      connectionId: 'hs',
      all: false,
      provider: undefined,
      fileIds: ['1', '2', '3'],
      dealIds: ['9'],
      mode: 'full',
      downloadContent: true,
      dryRun: false,
    });
    expect(parseSyncFilesRequest('files', [], { provider: 'zoho', 'dry-run': true })).toMatchObject({
      all: true,
      provider: 'zoho-crm',
      mode: 'incremental',
      dryRun: true,
    });
    expect(parseSyncFilesRequest('files', [], { all: true })).toMatchObject({
      all: true,
      provider: undefined,
      fileIds: undefined,
    });
  });
});
