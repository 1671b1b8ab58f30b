import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulatorDefaults } from '../../simulators/config.js';
import type { RunningSimulators } from '../../simulators/index.js';
import {
  TRANSFER_DUPLICATE,
  TRANSFER_MAX_BYTES,
  TRANSFER_MIN_BYTES,
  TRANSFER_NO_FOLDER,
  TRANSFER_OTHER_CASE,
  TRANSFER_PEOPLE,
} from '../../simulators/zoho/crm-seed-transfer.js';
import { WORKDRIVE_SEED_DUPLICATE, WORKDRIVE_SEED_PEOPLE } from '../../simulators/zoho-workdrive/wd-seed.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

const TEAM_FOLDER = simulatorDefaults().SIM_ZOHO_WORKDRIVE_TEAM_FOLDER_ID;
type Org = 'A' | 'B';
type Contact = Record<string, unknown> & { id: string; Name: string };

let s: RunningSimulators;
const tokens = new Map<Org, string>();
beforeAll(async () => {
  s = await startTestSimulators();
});
afterAll(async () => {
  await s?.close();
});

const creds = (org: Org) =>
  org === 'A'
    ? {
        client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
        client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
        refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
      }
    : {
        client_id: simSecrets.ZOHO_SIM_B_CLIENT_ID!,
        client_secret: simSecrets.ZOHO_SIM_B_CLIENT_SECRET!,
        refresh_token: simSecrets.ZOHO_SIM_B_REFRESH_TOKEN!,
      };
const accountsOf = (org: Org) => (org === 'A' ? s.urls.zohoAccounts : s.urls.zohoBAccounts);
const crmOf = (org: Org) => (org === 'A' ? s.urls.zohoCrm : s.urls.zohoBCrm);

async function mint(accounts: string, c: ReturnType<typeof creds>): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', ...c });
  return (await (await fetch(`${accounts}/oauth/v2/token`, { method: 'POST', body: form })).json()) as Record<
    string,
    unknown
  >;
}

/** One token per org for the file: Zoho mints at most 10 per refresh token per 10 minutes. */
async function tokenOf(org: Org): Promise<string> {
  if (!tokens.has(org)) tokens.set(org, (await mint(accountsOf(org), creds(org))).access_token as string);
  return tokens.get(org)!;
}

const crm = (base: string, token: string, path: string) =>
  fetch(`${base}/crm/v8${path}`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });
const workdrive = (token: string, path: string) =>
  fetch(`${s.urls.workdrive}/workdrive/api/v1${path}`, { headers: { authorization: `Zoho-oauthtoken ${token}` } });

async function contactsOf(org: Org, criteria?: string): Promise<Contact[]> {
  const fields = 'Name,First_Name,Last_Name,Transfer_Complete,WorkDrive_URL,WorkDrive_Folder_ID,Record_Updated_From';
  const path = criteria
    ? `/Contacts/search?criteria=${encodeURIComponent(criteria)}&fields=${fields}`
    : `/Contacts?fields=${fields}&per_page=200`;
  const res = await crm(crmOf(org), await tokenOf(org), path);
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Contact[] }).data;
}

describe('two Zoho orgs (A: the CRM, B: the WorkDrive transfer target)', () => {
  it('each mints with its own credentials, not the other one’s, and names its own CRM as api_domain', async () => {
    const a = await mint(s.urls.zohoAccounts, creds('A'));
    const b = await mint(s.urls.zohoBAccounts, creds('B'));
    expect(a).toMatchObject({ access_token: expect.any(String), api_domain: s.urls.zohoCrm });
    expect(b).toMatchObject({ access_token: expect.any(String), api_domain: s.urls.zohoBCrm });
    tokens.set('A', a.access_token as string);
    tokens.set('B', b.access_token as string);
    expect(await mint(s.urls.zohoAccounts, creds('B'))).toEqual({ error: 'invalid_client' });
    expect(await mint(s.urls.zohoBAccounts, creds('A'))).toEqual({ error: 'invalid_client' });
    expect(await mint(s.urls.zohoBAccounts, { ...creds('B'), refresh_token: creds('A').refresh_token })).toEqual({
      error: 'invalid_code',
    });
    expect(s.zoho.auth.mintCount).toBe(1);
    expect(s.zohoB.auth.mintCount).toBe(1);
  });

  it('a token works at its own org’s CRM only, and WorkDrive takes org B’s, not org A’s', async () => {
    const [a, b] = [await tokenOf('A'), await tokenOf('B')];
    expect((await crm(s.urls.zohoCrm, a, '/Contacts?fields=Name')).status).toBe(200);
    expect((await crm(s.urls.zohoBCrm, b, '/Contacts?fields=Name')).status).toBe(200);
    expect((await crm(s.urls.zohoBCrm, a, '/Contacts?fields=Name')).status).toBe(401);
    expect((await crm(s.urls.zohoCrm, b, '/Contacts?fields=Name')).status).toBe(401);
    expect((await workdrive(b, '/users/me')).status).toBe(200);
    const refused = await workdrive(a, '/users/me');
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ errors: [{ id: 'INVALID_OAUTHTOKEN' }] });
  });

  it('org A lists its transfer contacts by Transfer_Complete false; their attachments download at the seeded sizes', async () => {
    const pending = await contactsOf('A', '(Transfer_Complete:equals:false)');
    expect(pending.map((c) => c.Name)).toEqual([...TRANSFER_PEOPLE]);
    expect(pending.every((c) => c.Transfer_Complete === false)).toBe(true);
    // The contacts seeded before the transfer ones have no transfer fields, so the search leaves them out.
    expect((await contactsOf('A')).length).toBe(12 + TRANSFER_PEOPLE.length);

    const token = await tokenOf('A');
    const counts: number[] = [];
    const sizes: number[] = [];
    for (const c of pending) {
      const res = await crm(s.urls.zohoCrm, token, `/Contacts/${c.id}/Attachments?fields=File_Name,Size`);
      if (res.status === 204) {
        counts.push(0);
        continue;
      }
      const list = ((await res.json()) as { data: Array<{ id: string; Size: string }> }).data;
      counts.push(list.length);
      for (const att of list) {
        const dl = await crm(s.urls.zohoCrm, token, `/Contacts/${c.id}/Attachments/${att.id}`);
        expect(dl.status).toBe(200);
        const bytes = Buffer.from(await dl.arrayBuffer());
        expect(bytes.length).toBe(Number(att.Size));
        sizes.push(bytes.length);
      }
    }
    expect(counts.filter((n) => n === 0).length).toBeGreaterThanOrEqual(3);
    expect(counts.every((n) => n <= 4)).toBe(true);
    expect(Math.min(...sizes)).toBe(TRANSFER_MIN_BYTES);
    expect(Math.max(...sizes)).toBe(TRANSFER_MAX_BYTES);
    expect(sizes.reduce((n, x) => n + x, 0)).toBeLessThan(40 * 1024 * 1024);
  });

  it('org B has the same names, with the transfer’s fields empty', async () => {
    const b = await contactsOf('B');
    // The list comes newest first; the names are what counts.
    expect(b.map((c) => c.Name).sort()).toEqual([...TRANSFER_PEOPLE].sort());
    for (const c of b) {
      expect(c).toMatchObject({ WorkDrive_URL: null, WorkDrive_Folder_ID: null, Record_Updated_From: null });
    }
    // Another data centre: no id of org B is one of org A's.
    const aIds = new Set((await contactsOf('A')).map((c) => c.id));
    expect(b.some((c) => aIds.has(c.id))).toBe(false);
  });

  it('the names relate to the WorkDrive folders: one in other case, one without a folder, one with two', async () => {
    const res = await workdrive(await tokenOf('B'), `/files/${TEAM_FOLDER}/folders?page[limit]=200`);
    expect(res.status).toBe(200);
    const folders = ((await res.json()) as { data: Array<{ attributes: { name: string } }> }).data.map(
      (f) => f.attributes.name,
    );
    const exact = (name: string) => folders.filter((f) => f === name).length;
    const anyCase = (name: string) => folders.filter((f) => f.toLowerCase() === name.toLowerCase()).length;
    expect(TRANSFER_DUPLICATE).toBe(WORKDRIVE_SEED_DUPLICATE);
    for (const name of TRANSFER_PEOPLE) {
      if (name === TRANSFER_NO_FOLDER) expect(anyCase(name), name).toBe(0);
      else if (name === TRANSFER_OTHER_CASE) expect([exact(name), anyCase(name)], name).toEqual([0, 1]);
      else if (name === TRANSFER_DUPLICATE) expect(exact(name), name).toBe(2);
      else expect(exact(name), name).toBe(1);
    }
    // And one folder has no contact.
    const named = new Set(TRANSFER_PEOPLE.map((n) => n.toLowerCase()));
    expect(WORKDRIVE_SEED_PEOPLE.filter((p) => !named.has(p.toLowerCase()))).toEqual(['Shafi Goldwasser']);
  });
});
