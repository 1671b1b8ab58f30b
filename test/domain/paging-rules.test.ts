import { describe, expect, it } from 'vitest';
import { nextKeysetPosition, nextSearchWindow, nextTiesPosition, PagingError } from '../../domain/paging-rules.js';
import type { LeadPullPosition } from '../../domain/sync-positions.js';

const ZOHO = { pageSize: 200, pageReach: 2_000 };
const at = (iso: string) => Date.parse(iso);

describe("the lead pull's next position (keyset on a whole-second modified time)", () => {
  it.each<
    [string, LeadPullPosition, number | null, { moreRecords: boolean; nextPageToken?: string }, LeadPullPosition | null]
  >([
    ['an empty page ends the pull', { since: null, page: 1 }, null, { moreRecords: true }, null],
    [
      'no more records ends the pull',
      { since: null, page: 1 },
      at('2026-01-01T10:00:05Z'),
      { moreRecords: false },
      null,
    ],
    [
      'a first page restarts one second before its last record',
      { since: null, page: 1 },
      at('2026-01-01T10:00:05Z'),
      { moreRecords: true },
      { since: '2026-01-01T10:00:04.000Z', page: 1 },
    ],
    [
      'a later page moves the keyset forward',
      { since: '2026-01-01T10:00:04.000Z', page: 1 },
      at('2026-01-01T10:07:00Z'),
      { moreRecords: true },
      { since: '2026-01-01T10:06:59.000Z', page: 1 },
    ],
    [
      'a page all within the current second goes a page deeper',
      { since: '2026-01-01T10:00:04.000Z', page: 1 },
      at('2026-01-01T10:00:05Z'),
      { moreRecords: true },
      { since: '2026-01-01T10:00:04.000Z', page: 2 },
    ],
    [
      'deeper pages stay on plain page numbers up to the reach',
      { since: '2026-01-01T10:00:04.000Z', page: 9 },
      at('2026-01-01T10:00:05Z'),
      { moreRecords: true },
      { since: '2026-01-01T10:00:04.000Z', page: 10 },
    ],
    [
      'past the reach, the page token the listing handed out',
      { since: '2026-01-01T10:00:04.000Z', page: 10 },
      at('2026-01-01T10:00:05Z'),
      { moreRecords: true, nextPageToken: 'tok' },
      { since: '2026-01-01T10:00:04.000Z', page: 11, pageToken: 'tok' },
    ],
  ])('%s', (_name, position, last, info, expected) => {
    expect(nextKeysetPosition(position, last, info, ZOHO)).toEqual(expected);
  });

  it('refuses to guess when the listing says more but gives no token past the reach', () => {
    expect(() =>
      nextKeysetPosition(
        { since: '2026-01-01T10:00:04.000Z', page: 10 },
        at('2026-01-01T10:00:05Z'),
        { moreRecords: true },
        ZOHO,
      ),
    ).toThrow(PagingError);
  });
});

describe('HubSpot search windows past the result cap', () => {
  const limits = { pageSize: 100, cap: 10_000 };
  it.each([
    [
      'a short page ends the window',
      { since: 1000, offset: 0 },
      { length: 40, lastModifiedAt: 5000, hasNext: false },
      null,
    ],
    [
      'a full page whose successor stays within the cap pages on by offset',
      { since: 1000, offset: 0 },
      { length: 100, lastModifiedAt: 5000, hasNext: true },
      { kind: 'hs-search', since: 1000, offset: 100 },
    ],
    [
      'a full page without a next page ends the window',
      { since: 1000, offset: 200 },
      { length: 100, lastModifiedAt: 5000, hasNext: false },
      null,
    ],
    [
      'the last page before the cap restarts the window at the last time seen',
      { since: 1000, offset: 9_900 },
      { length: 100, lastModifiedAt: 5000, hasNext: true },
      { kind: 'hs-search', since: 5000, offset: 0 },
    ],
    [
      'a window that is one instant throughout is walked by id',
      { since: 5000, offset: 9_900 },
      { length: 100, lastModifiedAt: 5000, hasNext: true },
      { kind: 'hs-ties', at: 5000, afterId: '0' },
    ],
  ] as const)('%s', (_name, cursor, page, expected) => {
    expect(nextSearchWindow(cursor, page, limits)).toEqual(expected);
  });

  it('with a lowered cap the split comes sooner', () => {
    expect(
      nextSearchWindow(
        { since: 1000, offset: 200 },
        { length: 100, lastModifiedAt: 2000, hasNext: true },
        { pageSize: 100, cap: 300 },
      ),
    ).toEqual({ kind: 'hs-search', since: 2000, offset: 0 });
  });

  it.each([
    [
      'a full page of ties goes on after its last id',
      { length: 100, lastId: '812' },
      { kind: 'hs-ties', at: 5000, afterId: '812' },
    ],
    [
      'a short page of ties ends them; the search resumes one millisecond later',
      { length: 7, lastId: '900' },
      { kind: 'hs-search', since: 5001, offset: 0 },
    ],
    [
      'no ties left: the search resumes one millisecond later',
      { length: 0, lastId: null },
      { kind: 'hs-search', since: 5001, offset: 0 },
    ],
  ] as const)('%s', (_name, page, expected) => {
    expect(nextTiesPosition(5000, page, 100)).toEqual(expected);
  });
});
