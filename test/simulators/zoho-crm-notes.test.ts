import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FREE_PORTS, simulatorDefaults } from '../../simulators/config.js';
import { type RunningSimulators, startSimulators } from '../../simulators/index.js';
import { simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

/** Notes on deals (crm-apis.md 2.4) over plain HTTP, and the counters tests use to prove what was written. */
type Body = {
  data: Array<Record<string, unknown> & { details: Record<string, unknown> }>;
  info?: Record<string, unknown>;
};
const running: RunningSimulators[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(stateDir?: string) {
  const s = stateDir ? await startSimulators(simulatorDefaults(FREE_PORTS), { stateDir }) : await startTestSimulators();
  running.push(s);
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
    client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
    refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
  });
  const token = (
    (await (await fetch(`${s.urls.zohoAccounts}/oauth/v2/token`, { method: 'POST', body: form })).json()) as {
      access_token: string;
    }
  ).access_token;
  const call = async (path: string, init: { method?: string; body?: unknown } = {}) => {
    const res = await fetch(`${s.urls.zohoCrm}${path.startsWith('/__admin') ? '' : '/crm/v8'}${path}`, {
      method: init.method ?? 'GET',
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      headers: {
        authorization: `Zoho-oauthtoken ${token}`,
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    return { status: res.status, body: res.status === 204 ? undefined : ((await res.json()) as Body) };
  };
  const stats = async () =>
    (await call('/__admin/stats')).body as unknown as {
      writeCalls: number;
      recordsWritten: number;
      noteCreates: number;
    };
  const deals = [...s.zoho.store.records.get('Deals')!.keys()];
  return { s, call, stats, deals };
}

describe('Zoho simulator notes', () => {
  it('are created through POST /Deals/{id}/Notes and POST /Notes with the v8 or the older parent form', async () => {
    const { call, deals } = await start();
    const [deal] = deals;
    const viaPath = await call(`/Deals/${deal}/Notes`, {
      method: 'POST',
      body: { data: [{ Note_Title: 'A', Note_Content: 'by path' }] },
    });
    expect(viaPath).toMatchObject({
      status: 201,
      body: { data: [{ code: 'SUCCESS', message: 'record added', status: 'success' }] },
    });
    const v8 = await call('/Notes', {
      method: 'POST',
      body: {
        data: [
          { Note_Content: 'v8 form', Parent_Id: { module: { api_name: 'Deals' }, id: deal } },
          { Note_Content: 'older form', Parent_Id: deal, se_module: 'Deals' },
          { Note_Content: 'older form, $ key', Parent_Id: deal, $se_module: 'Deals' },
        ],
      },
    });
    expect(v8.status).toBe(201);
    const listed = await call(`/Deals/${deal}/Notes?fields=Note_Title,Note_Content,Parent_Id`);
    expect(
      listed
        .body!.data.slice(0, 4)
        .map((n) => n.Note_Content)
        .sort(),
    ).toEqual(['by path', 'older form', 'older form, $ key', 'v8 form']);
    expect(listed.body!.data[0]!.Parent_Id).toMatchObject({
      module: { api_name: 'Deals', id: expect.stringMatching(/^\d{19}$/) },
      id: deal,
      name: expect.any(String),
    });
  });

  it("list a deal's notes newest first with fields, page and per_page, and 204 when it has none", async () => {
    const { call, deals } = await start();
    const [deal] = deals;
    for (const title of ['one', 'two', 'three'])
      await call(`/Deals/${deal}/Notes`, { method: 'POST', body: { data: [{ Note_Title: title }] } });
    const all = (await call(`/Deals/${deal}/Notes?fields=Note_Title`)).body!;
    // Notes created within one second tie on Created_Time; the newest of them still comes first.
    expect(all.data.slice(0, 3).map((n) => n.Note_Title)).toEqual(['three', 'two', 'one']);
    const page = await call(`/Deals/${deal}/Notes?fields=Note_Title&per_page=2&page=1`);
    expect(page.body!.data.map((n) => n.id)).toEqual(all.data.slice(0, 2).map((n) => n.id));
    expect(page.body!.data[0]).toEqual({ id: expect.any(String), Note_Title: expect.any(String) });
    expect(page.body!.info).toMatchObject({ per_page: 2, count: 2, page: 1, more_records: true });
    expect((await call(`/Deals/${deal}/Notes?fields=Note_Title&page=99`)).status).toBe(204);
    const fresh = await call('/Deals', {
      method: 'POST',
      body: { data: [{ Deal_Name: 'No notes yet', Stage: 'Qualification' }] },
    });
    expect((await call(`/Deals/${fresh.body!.data[0]!.details.id}/Notes?fields=Note_Title`)).status).toBe(204);
  });

  it('refuse a note without title and content, with an unknown parent or module, or a long title', async () => {
    const { call, deals } = await start();
    const res = await call('/Notes', {
      method: 'POST',
      body: {
        data: [
          { Parent_Id: { module: { api_name: 'Deals' }, id: deals[0] } },
          { Note_Title: 'x', Parent_Id: { module: { api_name: 'Deals' }, id: '1' } },
          { Note_Title: 'x', Parent_Id: { module: { api_name: 'Nope' }, id: deals[0] } },
          { Note_Title: 'x' },
          { Note_Title: 'x'.repeat(121), Parent_Id: { module: { api_name: 'Deals' }, id: deals[0] } },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body!.data.map((d) => d.code)).toEqual([
      'EXPECTED_FIELD_MISSING',
      'INVALID_DATA',
      'INVALID_DATA',
      'MANDATORY_NOT_FOUND',
      'INVALID_DATA',
    ]);
    expect(res.body!.data[0]!.details).toEqual({
      expected_fields: [
        { api_name: 'Note_Content', json_path: '$.data[0].Note_Content' },
        { api_name: 'Note_Title', json_path: '$.data[0].Note_Title' },
      ],
    });
    expect(res.body!.data[4]!.details).toMatchObject({ api_name: 'Note_Title', maximum_length: 120 });
    expect(
      (await call('/Deals/1/Notes', { method: 'POST', body: { data: [{ Note_Title: 'x' }] } })).body,
    ).toMatchObject({ code: 'INVALID_DATA', status: 'error' });
  });

  it('are updated through PUT /Notes/{id} and PUT /Notes, read by id, and deleted by id', async () => {
    const { call, deals } = await start();
    const created = await call(`/Deals/${deals[0]}/Notes`, {
      method: 'POST',
      body: { data: [{ Note_Title: 'v1', Note_Content: 'c1' }] },
    });
    const id = created.body!.data[0]!.details.id as string;
    expect(
      (await call(`/Notes/${id}`, { method: 'PUT', body: { data: [{ Note_Title: 'v2' }] } })).body!.data[0],
    ).toMatchObject({ code: 'SUCCESS', message: 'record updated' });
    expect((await call('/Notes', { method: 'PUT', body: { data: [{ id, Note_Content: 'c2' }] } })).status).toBe(200);
    expect((await call(`/Notes/${id}?fields=Note_Title,Note_Content`)).body!.data[0]).toEqual({
      id,
      Note_Title: 'v2',
      Note_Content: 'c2',
    });
    expect((await call(`/Notes/${id}`, { method: 'DELETE' })).body!.data[0]).toMatchObject({
      code: 'SUCCESS',
      message: 'record deleted',
      details: { id },
    });
    expect((await call(`/Notes/${id}`)).status).toBe(204);
  });

  it('count note creates and API writes, per deal in the admin view, while reads count nothing', async () => {
    const { call, stats, deals } = await start();
    const seeded = (await call(`/__admin/records/Deals/${deals[0]}/notes`)).body as unknown as {
      notes: unknown[];
      created: number;
    };
    await call(`/Deals/${deals[0]}/Notes?fields=Note_Title`);
    await call('/Notes?fields=Note_Title');
    expect(await stats()).toMatchObject({ writeCalls: 0, recordsWritten: 0, noteCreates: 0 });
    await call(`/Deals/${deals[0]}/Notes`, {
      method: 'POST',
      body: { data: [{ Note_Title: 'CO-1' }, { Note_Title: 'CO-2' }] },
    });
    await call(`/Deals/${deals[0]}/Notes`, { method: 'POST', body: { data: [{}] } });
    expect(await stats()).toMatchObject({ writeCalls: 2, recordsWritten: 2, noteCreates: 2 });
    const view = (await call(`/__admin/records/Deals/${deals[0]}/notes`)).body as unknown as {
      notes: Array<{ Note_Title: string }>;
      created: number;
    };
    expect(view.created).toBe(2);
    expect(view.notes).toHaveLength(seeded.notes.length + 2);
    expect(
      view.notes
        .slice(0, 2)
        .map((n) => n.Note_Title)
        .sort(),
    ).toEqual(['CO-1', 'CO-2']);
  });

  it('are kept across a restart with the rest of the simulator state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'zoho-notes-'));
    dirs.push(dir);
    const a = await start(dir);
    await a.call(`/Deals/${a.deals[1]}/Notes`, {
      method: 'POST',
      body: { data: [{ Note_Title: 'Survives', Note_Content: 'a restart' }] },
    });
    await a.s.close();
    running.splice(running.indexOf(a.s), 1);
    const b = await start(dir);
    const listed = await b.call(`/Deals/${a.deals[1]}/Notes?fields=Note_Title,Note_Content`);
    expect(listed.body!.data[0]).toMatchObject({ Note_Title: 'Survives', Note_Content: 'a restart' });
  });
});
