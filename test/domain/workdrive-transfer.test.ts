import { describe, expect, it } from 'vitest';
import {
  matchFolder,
  recordState,
  shouldTick,
  stampedName,
  timestamp,
  uploadName,
} from '../../domain/workdrive-transfer.js';

describe('matchFolder', () => {
  const f = (id: string, name: string, modifiedMs: number | null) => ({ id, name, modifiedMs });
  it.each([
    ['exact name', 'Ada Lovelace', [f('a', 'Ada Lovelace', 1)], 'a'],
    ['other letter case', 'katherine johnson', [f('k', 'Katherine Johnson', 1)], 'k'],
    [
      'two folders: the most recently modified',
      'Grace Hopper',
      [f('old', 'Grace Hopper', 1), f('new', 'grace hopper', 2)],
      'new',
    ],
    [
      'two folders, same time: the smaller id',
      'Grace Hopper',
      [f('b', 'Grace Hopper', 5), f('a', 'Grace Hopper', 5)],
      'a',
    ],
    [
      'an unknown time loses to a known one',
      'Alan Turing',
      [f('x', 'Alan Turing', null), f('y', 'Alan Turing', 0)],
      'y',
    ],
    ['no folder of that name', 'Mary Jackson', [f('m', 'Mary Jackson-Smith', 1)], null],
    ['a prefix is not a match', 'Ada', [f('a', 'Ada Lovelace', 1)], null],
  ])('%s', (_case, name, folders, expected) => {
    expect(matchFolder(name, folders)?.id ?? null).toBe(expected);
  });
});

describe('upload names', () => {
  it('stamps local time in the job zone as YYYYMMDD_HHMMSS', () => {
    const at = new Date('2026-12-02T23:30:05Z');
    expect(timestamp(at, 'UTC')).toBe('20261202_233005');
    expect(timestamp(at, 'Europe/Berlin')).toBe('20261203_003005');
    expect(timestamp(at, 'America/New_York')).toBe('20261202_183005');
  });

  it.each([
    ['report.pdf', 'report_20261202_101500.pdf'],
    ['archive.tar.gz', 'archive.tar_20261202_101500.gz'],
    ['README', 'README_20261202_101500'],
    ['.env', '.env_20261202_101500'],
  ])('%s → %s', (name, stamped) => {
    expect(stampedName(name, '20261202_101500')).toBe(stamped);
  });

  it.each([
    ['free name kept', 'a.pdf', [], 'a.pdf'],
    ['taken name stamped', 'a.pdf', ['a.pdf'], 'a_S.pdf'],
    ['taken in another case', 'A.PDF', ['a.pdf'], 'A_S.PDF'],
    ['stamped taken too: _2', 'a.pdf', ['a.pdf', 'a_s.pdf'], 'a_S_2.pdf'],
    ['and _3', 'a.pdf', ['a.pdf', 'a_s.pdf', 'a_s_2.pdf'], 'a_S_3.pdf'],
  ])('%s', (_case, name, taken, expected) => {
    expect(uploadName(name, new Set(taken), 'S')).toBe(expected);
  });
});

describe('record outcome', () => {
  const files = (...outcomes: Array<'uploaded' | 'renamed' | 'already-there' | 'failed' | 'planned'>) =>
    outcomes.map((outcome) => ({ outcome }));
  it.each([
    ['no folder', { folderFound: false, fieldsOk: false, dryRun: false, files: [] }, 'skipped'],
    ['no folder in a dry run', { folderFound: false, fieldsOk: false, dryRun: true, files: [] }, 'skipped'],
    ['dry run', { folderFound: true, fieldsOk: true, dryRun: true, files: files('planned') }, 'planned'],
    [
      'all files in',
      { folderFound: true, fieldsOk: true, dryRun: false, files: files('uploaded', 'renamed', 'already-there') },
      'done',
    ],
    ['no attachments', { folderFound: true, fieldsOk: true, dryRun: false, files: [] }, 'done'],
    [
      'one failed, one in',
      { folderFound: true, fieldsOk: true, dryRun: false, files: files('uploaded', 'failed') },
      'partial',
    ],
    ['all failed', { folderFound: true, fieldsOk: true, dryRun: false, files: files('failed', 'failed') }, 'failed'],
    [
      'files in, fields not written',
      { folderFound: true, fieldsOk: false, dryRun: false, files: files('uploaded') },
      'partial',
    ],
    ['nothing in, fields not written', { folderFound: true, fieldsOk: false, dryRun: false, files: [] }, 'failed'],
  ] as const)('%s → %s', (_case, tally, expected) => {
    expect(recordState({ ...tally, files: [...tally.files] })).toBe(expected);
  });

  it.each([
    [files(), false],
    [files('failed'), false],
    [files('planned'), false],
    [files('failed', 'renamed'), true],
    [files('already-there'), true],
  ])('ticks the checkbox for %j: %s', (f, expected) => {
    expect(shouldTick(f)).toBe(expected);
  });
});
