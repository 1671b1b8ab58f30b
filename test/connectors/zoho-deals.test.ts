import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DealRecords } from '../../connectors/capabilities.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { buildCapabilities } from '../../worker/providers.js';
import { simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';

let sims: RunningSimulators;
let db: TestDb;
let deals: DealRecords;
let dealId: string;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  deals = buildCapabilities(zohoConnection(sims), { env: simSecrets, tokenStore: pgTokenStore(db.orm) }).deals!;
  dealId = [...sims.zoho.store.records.get('Deals')!.keys()][0]!;
});
afterAll(async () => {
  await sims?.close();
  await db?.close();
});

describe('Zoho deals connector (DealRecords over HTTP against the simulator)', () => {
  it('reads a deal with the fields asked for, lookups as objects', async () => {
    const deal = await deals.readDeal(dealId, ['Deal_Name', 'Account_Name.name', 'Amount', 'SI_Project_ID']);
    expect(deal?.id).toBe(dealId);
    expect(deal?.fields).toMatchObject({
      Deal_Name: expect.any(String),
      Account_Name: { name: expect.any(String), id: expect.any(String) },
      SI_Project_ID: null,
    });
    expect(deal?.modifiedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(await deals.readDeal('5725767000000999999', ['Deal_Name'])).toBeNull();
  });

  it('writes fields back and reports a refused value per record', async () => {
    expect(await deals.updateDeal(dealId, { SI_Project_ID: 'abc', SI_Project_Number: 'P-000101' })).toMatchObject({
      ok: true,
      id: dealId,
    });
    expect((await deals.readDeal(dealId, ['SI_Project_ID', 'SI_Project_Number']))?.fields).toMatchObject({
      SI_Project_ID: 'abc',
      SI_Project_Number: 'P-000101',
    });
    const refused = await deals.updateDeal(dealId, { Amount: 'not a number' });
    expect(refused).toMatchObject({ ok: false, code: 'INVALID_DATA', message: expect.stringContaining('Amount') });
  });

  it('adds notes and lists them', async () => {
    const before = await deals.listNotes(dealId);
    const added = await deals.addNote(dealId, { title: '[SI CO p1#1] Extra speakers', content: 'Approved, 1200' });
    expect(added.ok).toBe(true);
    const after = await deals.listNotes(dealId);
    expect(after).toHaveLength(before.length + 1);
    expect(after).toContainEqual({
      id: added.ok ? added.id : '',
      title: '[SI CO p1#1] Extra speakers',
      content: 'Approved, 1200',
    });
  });
});
