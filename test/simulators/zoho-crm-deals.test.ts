import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

/** Deals as the deal→project flow reads and writes them (crm-apis.md 2.3, 2.5), over plain HTTP. */
let sims: RunningSimulators;
let token: string;
const DEAL_FIELDS =
  'Deal_Name,Account_Name,Stage,Amount,Closing_Date,Owner,' +
  'SI_Project_ID,SI_Project_Number,SI_Status,SI_Progress,SI_Last_Sync';

async function zoho(path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await fetch(`${sims.urls.zohoCrm}/crm/v8${path}`, {
    method: init.method ?? 'GET',
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    headers: {
      authorization: `Zoho-oauthtoken ${token}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
  });
  return {
    status: res.status,
    body:
      res.status === 204
        ? undefined
        : ((await res.json()) as Record<string, unknown> & { data: Array<Record<string, unknown>> }),
  };
}
const accounts = () => [...sims.zoho.store.records.get('Accounts')!.values()];
const firstDealId = () => [...sims.zoho.store.records.get('Deals')!.keys()][0]!;

beforeAll(async () => {
  sims = await startTestSimulators({ SIM_SCALE_DEALS: 30 });
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
    client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
    refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
  });
  token = (
    (await (await fetch(`${sims.urls.zohoAccounts}/oauth/v2/token`, { method: 'POST', body: form })).json()) as {
      access_token: string;
    }
  ).access_token;
});
afterAll(async () => {
  await sims?.close();
});

describe('Zoho simulator Deals', () => {
  it("are seeded with the flow's fields in Zoho's shapes, SI fields empty and a few without an account", async () => {
    const { status, body } = await zoho(`/Deals?fields=${DEAL_FIELDS}`);
    expect(status).toBe(200);
    expect(body!.data).toHaveLength(30);
    for (const deal of body!.data) {
      expect(deal).toMatchObject({
        id: expect.stringMatching(/^\d{19}$/),
        Deal_Name: expect.any(String),
        Stage: expect.any(String),
        Amount: expect.any(Number),
        Closing_Date: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        Owner: { name: expect.any(String), id: expect.stringMatching(/^\d{19}$/), email: expect.stringContaining('@') },
        SI_Project_ID: null,
        SI_Project_Number: null,
        SI_Status: null,
        SI_Progress: null,
        SI_Last_Sync: null,
      });
      if (deal.Account_Name !== null) {
        const account = accounts().find((a) => a.id === (deal.Account_Name as { id: string }).id);
        expect(deal.Account_Name).toEqual({ name: account?.Account_Name, id: account?.id });
      }
    }
    const withoutAccount = body!.data.filter((d) => d.Account_Name === null).length;
    expect(withoutAccount).toBeGreaterThanOrEqual(2);
    expect(withoutAccount).toBeLessThan(15);
    expect(new Set(body!.data.map((d) => (d.Owner as { id: string }).id)).size).toBeGreaterThan(1);
  });

  it('seed the same deal owners, accounts and notes for the same seed', async () => {
    const again = await startTestSimulators({ SIM_SCALE_DEALS: 30 });
    try {
      const view = (s: RunningSimulators) =>
        JSON.stringify([
          [...s.zoho.store.records.get('Deals')!.values()].map((d) => [d.id, d.Owner, d.Account_Name]),
          [...s.zoho.store.records.get('Notes')!.values()].map((n) => [n.id, n.Note_Title, n.Parent_Id]),
        ]);
      expect(view(again)).toBe(view(sims));
    } finally {
      await again.close();
    }
  });

  it("take SI fields through PUT /Deals/{id}, PUT /Deals and upsert, with Zoho's per-record envelope", async () => {
    const id = firstDealId();
    const one = await zoho(`/Deals/${id}`, {
      method: 'PUT',
      body: { data: [{ SI_Project_ID: 'p-1', SI_Last_Sync: '2026-07-01T10:00:00Z' }] },
    });
    expect(one).toMatchObject({
      status: 200,
      body: { data: [{ code: 'SUCCESS', message: 'record updated', status: 'success', details: { id } }] },
    });
    const many = await zoho('/Deals', {
      method: 'PUT',
      body: { data: [{ id, SI_Status: 'Active', SI_Project_Number: 'P-0042' }] },
    });
    expect(many.body!.data[0]).toMatchObject({
      code: 'SUCCESS',
      details: { id, Modified_Time: expect.stringMatching(/\+05:30$/) },
    });
    const name = sims.zoho.store.records.get('Deals')!.get(id)!.Deal_Name;
    const upsert = await zoho('/Deals/upsert', {
      method: 'POST',
      body: { data: [{ Deal_Name: name, SI_Progress: 'Installing' }] },
    });
    expect(upsert.body!.data[0]).toMatchObject({
      code: 'SUCCESS',
      action: 'update',
      duplicate_field: 'Deal_Name',
      details: { id },
    });
    const read = await zoho(`/Deals/${id}?fields=${DEAL_FIELDS}`);
    // Date-times come back in the org's offset, without millis (crm-apis.md 2.3).
    expect(read.body!.data[0]).toMatchObject({
      SI_Project_ID: 'p-1',
      SI_Project_Number: 'P-0042',
      SI_Status: 'Active',
      SI_Progress: 'Installing',
      SI_Last_Sync: '2026-07-01T15:30:00+05:30',
    });
  });

  it('store lookups written as { id } in their read shapes: { name, id }, Owner { name, id, email }', async () => {
    const account = accounts()[3]!;
    const owner = '5725767000100411003';
    const res = await zoho('/Deals', {
      method: 'POST',
      body: {
        data: [{ Deal_Name: 'Lookup', Stage: 'Qualification', Account_Name: { id: account.id }, Owner: { id: owner } }],
      },
    });
    expect(res.status).toBe(201);
    const id = res.body!.data[0]!.details as { id: string };
    expect(sims.zoho.store.records.get('Deals')!.get(id.id)).toMatchObject({
      Account_Name: { name: account.Account_Name, id: account.id },
      Owner: { name: 'Jordan Rep', id: owner, email: 'jordan.rep@sim.example' },
    });
  });

  it('refuse bad values per record (unknown account, wrong type, no Stage) and keep the good ones (207)', async () => {
    const res = await zoho('/Deals', {
      method: 'POST',
      body: {
        data: [
          { Deal_Name: 'Good', Stage: 'Qualification', Amount: 10 },
          { Deal_Name: 'Bad account', Stage: 'Qualification', Account_Name: { id: '1' } },
          { Deal_Name: 'Bad amount', Stage: 'Qualification', Amount: '10' },
          { Deal_Name: 'Bad date', Stage: 'Qualification', Closing_Date: '2026-02-30T00:00' },
          { Deal_Name: 'No stage' },
          { Deal_Name: 'Bad sync time', Stage: 'Qualification', SI_Last_Sync: 'yesterday' },
        ],
      },
    });
    expect(res.status).toBe(207);
    expect(res.body!.data.map((d) => [d.code, (d.details as { api_name?: string }).api_name])).toEqual([
      ['SUCCESS', undefined],
      ['INVALID_DATA', 'Account_Name'],
      ['INVALID_DATA', 'Amount'],
      ['INVALID_DATA', 'Closing_Date'],
      ['MANDATORY_NOT_FOUND', 'Stage'],
      ['INVALID_DATA', 'SI_Last_Sync'],
    ]);
    expect(res.body!.data[2]).toMatchObject({
      status: 'error',
      details: { json_path: '$.data[2].Amount', expected_data_type: 'currency' },
    });
  });

  it('refuse an update to a deal that does not exist with INVALID_DATA and HTTP 400', async () => {
    const res = await zoho('/Deals/5725767000099999999', { method: 'PUT', body: { data: [{ SI_Status: 'Active' }] } });
    expect(res).toMatchObject({
      status: 400,
      body: { data: [{ code: 'INVALID_DATA', details: { id: '5725767000099999999' }, status: 'error' }] },
    });
  });
});
