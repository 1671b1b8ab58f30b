import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

/** What the Zoho CRM simulator does with bodies and paths before any route runs (crm-apis.md 2.5). */
let sims: RunningSimulators;
let auth: { authorization: string };

beforeAll(async () => {
  sims = await startTestSimulators();
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
    client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
    refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
  });
  const res = await fetch(`${sims.urls.zohoAccounts}/oauth/v2/token`, { method: 'POST', body: form });
  auth = { authorization: `Zoho-oauthtoken ${((await res.json()) as { access_token: string }).access_token}` };
});
afterAll(async () => {
  await sims?.close();
});

/** A POST whose body is bytes: fetch then sends no Content-Type unless one is given. */
const post = (path: string, body: string, contentType?: string) =>
  fetch(`${sims.urls.zohoCrm}/crm/v8${path}`, {
    method: 'POST',
    body: new Blob([body]),
    headers: { ...auth, ...(contentType ? { 'content-type': contentType } : {}) },
  });
const zohoShape = {
  code: expect.any(String),
  details: expect.any(Object),
  message: expect.any(String),
  status: 'error',
};

describe('Zoho CRM simulator requests', () => {
  it('read a JSON body sent without a Content-Type (as the official SDK sends it) or as text/plain', async () => {
    for (const [name, type] of [
      ['No content type', undefined],
      ['Text plain', 'text/plain;charset=UTF-8'],
    ]) {
      const res = await post('/Deals', JSON.stringify({ data: [{ Deal_Name: name, Stage: 'Qualification' }] }), type);
      expect(res.status).toBe(201);
      const { data } = (await res.json()) as { data: Array<{ details: { id: string } }> };
      expect(sims.zoho.store.records.get('Deals')!.get(data[0]!.details.id)?.Deal_Name).toBe(name);
    }
  });

  it("answer malformed JSON with INVALID_DATA in Zoho's error shape, with or without a Content-Type", async () => {
    for (const type of ['application/json', undefined]) {
      const res = await post('/Deals', '{"data": [', type);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ ...zohoShape, code: 'INVALID_DATA' });
    }
  });

  it("answer an unsupported media type with 415 in Zoho's error shape", async () => {
    const res = await post('/Deals', '<data/>', 'application/xml');
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      ...zohoShape,
      code: 'NOT_SUPPORTED',
      details: { content_type: 'application/xml' },
    });
  });

  it("answer a body over 10 MB with 413 LIMIT_EXCEEDED in Zoho's error shape", async () => {
    const res = await post(
      '/Deals',
      JSON.stringify({ data: [{ Deal_Name: 'x'.repeat(10 * 1024 * 1024) }] }),
      'application/json',
    );
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ ...zohoShape, code: 'LIMIT_EXCEEDED', details: { limit: 10 * 1024 * 1024 } });
  });

  it('answer an unknown path with 404 INVALID_URL_PATTERN, and an unknown module with INVALID_MODULE', async () => {
    const unknown = await fetch(`${sims.urls.zohoCrm}/crm/v8/Deals/1/Notes/2/x`, { headers: auth });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ...zohoShape, code: 'INVALID_URL_PATTERN' });
    const module = await fetch(`${sims.urls.zohoCrm}/crm/v8/Projects?fields=Name`, { headers: auth });
    expect(module.status).toBe(400);
    expect(await module.json()).toEqual({ ...zohoShape, code: 'INVALID_MODULE' });
  });

  it('count a refused body as a write call that wrote no record', async () => {
    await fetch(`${sims.urls.zohoCrm}/__admin/reset`, { method: 'POST' });
    await post('/Deals', '{"data": [');
    await post('/Deals', '<data/>', 'application/xml');
    const stats = (await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as {
      writeCalls: number;
      recordsWritten: number;
    };
    expect(stats).toMatchObject({ writeCalls: 2, recordsWritten: 0 });
  });

  it('leave the accounts simulator answering a malformed body or an unknown path in its own { error } shape', async () => {
    const token = `${sims.urls.zohoAccounts}/oauth/v2/token`;
    const bad = await fetch(token, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid_request' });
    const unknown = await fetch(`${sims.urls.zohoAccounts}/oauth/v3/token`, { method: 'POST' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('answer the metadata reads the SDK makes, and refuse a field list without a module', async () => {
    const get = async (path: string) => {
      const res = await fetch(`${sims.urls.zohoCrm}/crm/v8${path}`, { headers: auth });
      return { status: res.status, body: (await res.json()) as Record<string, Array<Record<string, unknown>>> };
    };
    const fields = await get('/settings/fields?module=Deals');
    expect(fields.body.fields!.find((f) => f.api_name === 'Account_Name')).toMatchObject({
      data_type: 'lookup',
      lookup: { module: { api_name: 'Accounts', id: expect.stringMatching(/^\d{19}$/) } },
    });
    expect(
      fields.body
        .fields!.filter((f) => f.system_mandatory)
        .map((f) => f.api_name)
        .sort(),
    ).toEqual(['Deal_Name', 'Stage']);
    expect(fields.body.fields!.find((f) => f.api_name === 'SI_Last_Sync')).toMatchObject({
      data_type: 'datetime',
      custom_field: true,
    });
    expect(
      (await get('/settings/related_lists?module=Deals')).body.related_lists!.map((r) => [r.api_name, r.href]),
    ).toEqual([
      ['Notes', 'Deals/{ENTITYID}/Notes'],
      ['Attachments', 'Deals/{ENTITYID}/Attachments'],
    ]);
    expect((await get('/users?type=CurrentUser')).body.users).toEqual([
      expect.objectContaining({ email: 'admin@sim.example' }),
    ]);
    expect((await get('/settings/fields')).body).toMatchObject({
      code: 'REQUIRED_PARAM_MISSING',
      details: { param_name: 'module' },
    });
  });
});
