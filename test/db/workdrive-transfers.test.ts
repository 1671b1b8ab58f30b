import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkdriveTransfersRepository } from '../../db/repositories/workdrive-transfers.repository.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let db: TestDb;
const repo = () => new WorkdriveTransfersRepository(db.orm.em.fork());
const key = (attachmentId: string) => ({ jobId: 'move', recordId: '5725767000000000001', attachmentId });
const file = { fileName: 'plan.pdf', size: 3_000_000_000, folderId: 'fold1', finalName: 'plan.pdf' };

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

describe('workdrive_transfers ledger (real Postgres)', () => {
  it('a second claim of an attachment returns the first, with its final name, and sizes past 2 GiB are kept', async () => {
    const first = await repo().claim(key('a1'), { ...file, finalName: 'plan_20261202_101500.pdf' });
    const again = await repo().claim(key('a1'), { ...file, finalName: 'plan_20261202_111500.pdf' });
    expect(again).toMatchObject({ state: 'claimed', finalName: 'plan_20261202_101500.pdf', size: 3_000_000_000 });
    expect(again.createdAt).toEqual(first.createdAt);
    expect(await repo().ofRecord('move', key('a1').recordId)).toHaveLength(1);
  });

  it('an uploaded file stays uploaded when a late failure of the same attachment is recorded', async () => {
    await repo().claim(key('a2'), file);
    await repo().uploaded(key('a2'), 'res123');
    await repo().failed(key('a2'), 'late answer of a lost attempt');
    await repo().claim(key('a3'), file);
    await repo().failed(key('a3'), 'R504: name taken');
    const rows = await repo().ofRecord('move', key('a2').recordId);
    expect(rows.map((r) => [r.attachmentId, r.state, r.resourceId, r.error])).toEqual([
      ['a1', 'claimed', null, null],
      ['a2', 'uploaded', 'res123', null],
      ['a3', 'failed', null, 'R504: name taken'],
    ]);
  });
});
