import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { FREE_PORTS, simulatorDefaults, type SimulatorEnv } from '../../simulators/config.js';
import { type RunningSimulators, startSimulators } from '../../simulators/index.js';

type Json = Record<string, unknown>;
interface Info {
  id: string;
  number: string;
  client: string;
  progress: string;
  isChangeOrder: boolean;
  coNumber: string | null;
  publishedOnUnixTimeMs: number;
  importedOn: string | null;
  messageId: string;
}
type Published = { messageId: string; projectId: string };

const KEY = simulatorDefaults().DTOOLS_SIM_API_KEY;
/** Imports wait for the admin endpoint unless a test shortens the delay. */
const HOUR = 3_600_000;
const running: RunningSimulators[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function start(overrides: Partial<Record<keyof SimulatorEnv, string | number>> = {}) {
  const s = await startSimulators(
    simulatorDefaults({
      ...FREE_PORTS,
      SIM_DTOOLS_SI_IMPORT_DELAY_MS: HOUR,
      ...overrides,
    }),
  );
  running.push(s);
  return s;
}

/** The API as a connector calls it, under `/si` with the key header. */
function si(s: RunningSimulators) {
  const call = (method: string, path: string, body?: unknown) =>
    fetch(`${s.urls.dtoolsSi}/si${path}`, {
      method,
      headers: { 'X-DTSI-ApiKey': KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  const json = async <T = Json>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(method, path, body);
    expect(res.status, `${method} ${path}`).toBe(200);
    return (await res.json()) as T;
  };
  return {
    call,
    get: <T = Json>(path: string) => json<T>('GET', path),
    post: <T = Published>(path: string, body: unknown) => json<T>('POST', path, body),
    list: (query = '') => json<{ totalCount: number; projects: Info[] }>('GET', `/Subscribe/Projects${query}`),
    status: (messageId: string) => json<Json>('GET', `/Message/PublishedMessageStatus?messageId=${messageId}`),
  };
}

/** Test-only endpoints acting as the SI user. */
async function admin<T = Json>(s: RunningSimulators, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.urls.dtoolsSi}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} /__admin${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

const project = (id: string = randomUUID(), extra: Json = {}) => ({
  id,
  client: 'Acme Corp',
  name: 'Lobby AV',
  ...extra,
});
const projects = async (s: RunningSimulators) => (await admin<{ projects: Json[] }>(s, 'GET', '/projects')).projects;

describe('D-Tools SI simulator: publish queue', () => {
  it('answers 401 with an empty body without the X-DTSI-ApiKey header or with a wrong key', async () => {
    const s = await start();
    const url = `${s.urls.dtoolsSi}/si/Subscribe/Projects`;
    for (const headers of [{}, { 'X-DTSI-ApiKey': 'wrong-key' }, { authorization: `Bearer ${KEY}` }]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(401);
      expect(await res.text()).toBe('');
    }
    expect((await fetch(url, { headers: { 'X-DTSI-ApiKey': KEY } })).status).toBe(200);
  });

  it('keeps a publish queued until the SI user imports it, then reports it imported with its SI number', async () => {
    const s = await start();
    const api = si(s);
    const id = randomUUID();
    const published = await api.post('/Publish/Projects', project(id));
    expect(published).toMatchObject({ projectId: id, messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await api.status(published.messageId)).toMatchObject({
      id: published.messageId,
      typeId: 11,
      statusId: 1,
      status: 'queued',
      importedOn: null,
      projectId: id,
      projectNumber: null,
    });
    expect((await projects(s)).some((p) => p.id === id)).toBe(false);

    const { imported } = await admin<{ imported: Json[] }>(s, 'POST', '/import', { messageId: published.messageId });
    expect(imported).toHaveLength(1);
    const status = await api.status(published.messageId);
    expect(status).toMatchObject({
      statusId: 2,
      status: 'imported',
      projectId: id,
      projectNumber: expect.stringMatching(/^P-\d{6}$/),
    });
    expect(Date.parse(status.importedOn as string)).toBeGreaterThan(0);
    // Imported but never published back by the SI user: not readable through Subscribe yet.
    expect((await api.call('GET', `/Subscribe/Projects/${id}`)).status).toBe(404);
  });

  it('imports on its own once SIM_DTOOLS_SI_IMPORT_DELAY_MS has passed', async () => {
    const s = await start({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 50 });
    const api = si(s);
    const { messageId } = await api.post('/Publish/Projects', project());
    await expect.poll(async () => (await api.status(messageId)).status, { timeout: 5_000 }).toBe('imported');
  });

  it('updates the one project when the same GUID is published again, with a new message id each time', async () => {
    const s = await start();
    const api = si(s);
    const id = randomUUID();
    const first = await api.post('/Publish/Projects', project(id, { name: 'First name' }));
    const second = await api.post('/Publish/Projects', project(id.toUpperCase(), { name: 'Second name' }));
    expect(second.messageId).not.toBe(first.messageId);
    await admin(s, 'POST', '/import');
    const third = await api.post('/Publish/Projects', project(id, { name: 'Third name' }));
    await admin(s, 'POST', '/import', { projectId: id });

    const mine = (await projects(s)).filter((p) => p.id === id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ name: 'Third name', client: 'Acme Corp' });
    const numberOf = async (m: Published) => (await api.status(m.messageId)).projectNumber;
    const numbers = await Promise.all([first, second, third].map(numberOf));
    expect(new Set(numbers)).toEqual(new Set([mine[0]!.number]));
    expect((await admin<{ counts: Json }>(s, 'GET', '/publish-counts')).counts).toEqual({ [id]: 3 });
  });

  it('treats a change order posted again with the same integrationChangeOrderId as an update', async () => {
    const s = await start();
    const api = si(s);
    const id = randomUUID();
    await api.post('/Publish/Projects', project(id));
    const co = (name: string, integrationChangeOrderId = 'crm-co-1') =>
      api.post('/Publish/Projects/NewChangeOrder', { projectId: id, integrationChangeOrderId, name, typeId: 2 });
    const a = await co('Extra speakers');
    const b = await co('Extra speakers and subwoofer');
    const c = await co('Second display', 'crm-co-2');
    // Queued behind the project's own publish: imported after it, in order.
    await admin(s, 'POST', '/import', { messageId: c.messageId });

    const view = await admin<{ changeOrders: Json[] }>(s, 'GET', `/projects/${id}`);
    expect(view.changeOrders).toEqual([
      expect.objectContaining({
        coNumber: '1',
        coName: 'Extra speakers and subwoofer',
        coType: 'External',
        integrationChangeOrderId: 'crm-co-1',
      }),
      expect.objectContaining({ coNumber: '2', coName: 'Second display', integrationChangeOrderId: 'crm-co-2' }),
    ]);
    expect([(await api.status(a.messageId)).coNumber, (await api.status(b.messageId)).coNumber]).toEqual(['1', '1']);
  });

  it('applies UpdateProject field ids on import, and fails the message for a project SI does not have', async () => {
    const s = await start();
    const api = si(s);
    const id = randomUUID();
    await api.post('/Publish/Projects', project(id));
    const fields = [
      [1, 'Renamed'],
      [2, 'Contract'],
      [7, '1234.5'],
      [101, 'North'],
      [155, 'true'],
    ];
    const updateFields = fields.map(([projectFieldId, value]) => ({ projectFieldId, value }));
    await api.post('/Publish/Projects/Update', { projectId: id, updateFields });
    const orphan = await api.post('/Publish/Projects/Update', { projectId: randomUUID(), updateFields: [] });
    await admin(s, 'POST', '/import');

    expect(await admin(s, 'GET', `/projects/${id}`)).toMatchObject({
      name: 'Renamed',
      progress: 'Contract',
      budget: 1234.5,
      customField1: 'North',
      customField65: true,
    });
    expect(await api.status(orphan.messageId)).toMatchObject({
      statusId: 3,
      status: 'failed',
      errorMessage: expect.stringMatching(/does not exist/),
    });
  });

  it('archives a project through ArchiveProjects once the SI user imports the message', async () => {
    const s = await start({ SIM_DTOOLS_SI_PROJECTS: 0 });
    const api = si(s);
    const created = await admin<Info>(s, 'POST', '/projects', { name: 'To archive', client: 'Globex' });
    const { messageId } = await api.post('/Publish/Projects/ArchiveProjects', [created.id]);
    expect((await api.list()).totalCount).toBe(1);
    await admin(s, 'POST', '/import', { messageId });
    expect((await api.list()).totalCount).toBe(0);
    expect((await api.list('?includeArchived=true')).projects[0]).toMatchObject({ id: created.id, archived: true });
  });
});

describe('D-Tools SI simulator: validation', () => {
  it('refuses invalid bodies with 400 ProblemDetails naming each field, malformed JSON in the same shape', async () => {
    const s = await start();
    const api = si(s);
    const problem = async (path: string, body: unknown) => {
      const res = await api.call('POST', path, body);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const doc = (await res.json()) as { title: string; status: number; errors: Record<string, string[]> };
      expect(doc).toMatchObject({ title: 'One or more validation errors occurred.', status: 400 });
      return doc.errors;
    };
    const bad = { id: 'not-a-guid', price: 'cheap', items: [{ id: 'i', typeId: 3 }] };
    const errors = await problem('/Publish/Projects', bad);
    expect(Object.keys(errors).sort()).toEqual([
      '$.price',
      'client',
      'id',
      'items[0].manufacturer',
      'items[0].model',
      'items[0].typeId',
      'name',
    ]);
    expect(errors.name).toEqual(['The name field is required.']);
    expect(Object.keys(await problem('/Publish/Projects', '{"id": '))).toEqual(['$']);
    const updateFields = [
      { projectFieldId: 60, value: 'x' },
      { projectFieldId: 7, value: 'lots' },
    ];
    expect(Object.keys(await problem('/Publish/Projects/Update', { projectId: randomUUID(), updateFields }))).toEqual([
      'updateFields[0].projectFieldId',
      'updateFields[1].value',
    ]);
    const changeOrder = { projectId: randomUUID(), name: 'CO' };
    expect(Object.keys(await problem('/Publish/Projects/NewChangeOrder', changeOrder)).sort()).toEqual([
      'integrationChangeOrderId',
      'typeId',
    ]);
    expect((await admin<{ messages: unknown[] }>(s, 'GET', '/messages')).messages).toEqual([]);
  });
});

describe('D-Tools SI simulator: subscribe', () => {
  it('lists what the SI user published, filtered by client, progress, search text and number, and paged', async () => {
    const s = await start({ SIM_DTOOLS_SI_PROJECTS: 0 });
    const api = si(s);
    const make = (name: string, client: string, progress: string) =>
      admin<Info>(s, 'POST', '/projects', { name, client, progress });
    const a = await make('Boardroom AV', 'Acme Corp', 'Proposal');
    const b = await make('Lobby wall', 'Globex', 'Contract');
    const c = await make('Cameras', 'Initech', 'Proposal');
    await admin(s, 'DELETE', `/projects/${c.id}`);

    const all = await api.list();
    expect(all.totalCount).toBe(2);
    expect(Object.keys(all.projects[0]!)).toEqual(
      expect.arrayContaining([
        'id',
        'name',
        'number',
        'client',
        'progress',
        'publishedOn',
        'publishedOnUnixTimeMs',
        'isChangeOrder',
        'coNumber',
      ]),
    );
    const ids = async (query: string) => (await api.list(query)).projects.map((p) => p.id);
    expect(await ids('?clients=Globex&clients=Initech')).toEqual([b.id]);
    expect(await ids('?progresses=proposal&includeDeleted=true')).toEqual([a.id, c.id]);
    expect(await ids('?searchText=lobby')).toEqual([b.id]);
    expect(await ids(`?projectNumber=${a.number}`)).toEqual([a.id]);
    expect(await api.list('?includeDeleted=true&pageSize=2&pageNumber=2')).toMatchObject({
      totalCount: 3,
      projects: [{ id: c.id }],
    });
    expect((await api.call('GET', '/Subscribe/Projects?pageSize=0')).status).toBe(400);
  });

  it('hides an acknowledged project until the SI user edits it again; a stale acknowledgement is a 409', async () => {
    const s = await start({ SIM_DTOOLS_SI_PROJECTS: 0 });
    const api = si(s);
    const created = await admin<Info>(s, 'POST', '/projects', { name: 'Theatre', client: 'Wayne Enterprises' });
    const [seen] = (await api.list()).projects;
    const fields = { progress: 'Installation', budget: 9000 };
    const edited = await admin<Info>(s, 'PATCH', `/projects/${created.id}`, { fields });
    expect(edited.publishedOnUnixTimeMs).toBeGreaterThan(seen!.publishedOnUnixTimeMs);

    const mark = (query: string) => api.call('PUT', `/Subscribe/Projects/MarkAsImported?id=${created.id}${query}`);
    const stale = await mark(`&publishedOnUnixTimeMs=${seen!.publishedOnUnixTimeMs}`);
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ status: 409, title: 'Conflict' });
    expect((await api.list()).totalCount).toBe(1);
    const ok = await mark(`&publishedOnUnixTimeMs=${edited.publishedOnUnixTimeMs}`);
    expect([ok.status, await ok.text()]).toEqual([200, '']);
    expect((await api.list()).totalCount).toBe(0);
    expect((await api.list('?includeImported=true')).projects[0]).toMatchObject({
      id: created.id,
      importedOn: expect.any(String),
    });

    const again = await admin<Info>(s, 'PATCH', `/projects/${created.id}`, { fields: { customField1: 'Phase 2' } });
    expect((await api.list()).projects).toEqual([
      expect.objectContaining({ id: created.id, importedOn: null, publishedOnUnixTimeMs: again.publishedOnUnixTimeMs }),
    ]);
    expect(again.publishedOnUnixTimeMs).toBeGreaterThan(edited.publishedOnUnixTimeMs);
  });

  it('serves a project with its change orders, and a change order view by coNumber or by message id', async () => {
    const s = await start({ SIM_DTOOLS_SI_PROJECTS: 0 });
    const api = si(s);
    const p = await admin<Info>(s, 'POST', '/projects', { name: 'Campus network', client: 'Initech', approved: true });
    const order = { coName: 'Add APs', price: 2400, coNotes: 'Wing B' };
    const co = await admin<Info>(s, 'POST', `/projects/${p.id}/change-orders`, order);
    await admin(s, 'PATCH', `/projects/${p.id}/change-orders/${co.coNumber}`, { coStatus: 'Accepted' });
    const listed = (await api.list()).projects;
    expect(listed.map((x) => [x.isChangeOrder, x.coNumber])).toEqual([
      [false, null],
      [true, '1'],
    ]);

    const view = await api.get(`/Subscribe/Projects/${p.id}`);
    expect(view).toMatchObject({
      id: p.id,
      number: p.number,
      isChangeOrder: false,
      approved: true,
      customField75: null,
      coNumber: null,
    });
    expect(view.changeOrders).toEqual([
      expect.objectContaining({
        coNumber: '1',
        coName: 'Add APs',
        coStatus: 'Accepted',
        price: 2400,
        coNotes: 'Wing B',
        coAcceptedOn: expect.any(String),
      }),
    ]);
    const coView = {
      id: p.id,
      number: p.number,
      isChangeOrder: true,
      coNumber: '1',
      coName: 'Add APs',
      coStatus: 'Accepted',
      price: 2400,
    };
    expect(await api.get(`/Subscribe/Projects/${p.id}?coNumber=1`)).toMatchObject(coView);
    const coMessage = listed.find((x) => x.isChangeOrder)!.messageId;
    expect(await api.get(`/Subscribe/Projects/GetProjectByMessageId?messageId=${coMessage}`)).toMatchObject(coView);
    expect((await api.call('GET', `/Subscribe/Projects/${p.id}?coNumber=9`)).status).toBe(404);

    await api.call('PUT', `/Subscribe/Projects/MarkAsImported?id=${p.id}&coNumber=1`);
    expect((await api.list()).projects.map((x) => x.coNumber)).toEqual([null]);
  });

  it('seeds the same projects for the same seed, others for another, as many as SIM_DTOOLS_SI_PROJECTS', async () => {
    const seeded = async (seed: number) => {
      const { projects: listed } = await si(await start({ SIM_SEED: seed })).list('?includeImported=true&pageSize=100');
      return listed.map((p) => [p.id, p.number, p.coNumber, p.publishedOnUnixTimeMs]);
    };
    const [a, b, c] = await Promise.all([seeded(7), seeded(7), seeded(8)]);
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(a.some(([, , coNumber]) => coNumber !== null)).toBe(true);
    const big = await start({ SIM_DTOOLS_SI_PROJECTS: 40 });
    expect(big.dtoolsSi.store.projects.size).toBe(40);
  });
});
