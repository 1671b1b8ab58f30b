import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FREE_PORTS, simulatorDefaults, type SimulatorEnv } from '../../simulators/config.js';
import { type RunningSimulators, startSimulators } from '../../simulators/index.js';
import { describeState } from '../../simulators/state.js';
import { simSecrets } from '../helpers/connections.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const PORTS = FREE_PORTS;
const ALL = ['hubspot', 'zoho-accounts', 'zoho-crm', 'zoho-b-accounts', 'zoho-b-crm', 'dtools-si', 'zoho-workdrive'];

const running: RunningSimulators[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(async () => {
  children.splice(0).forEach((c) => c.kill('SIGKILL'));
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-state-'));
  dirs.push(dir);
  return dir;
}

async function start(
  dir: string | undefined,
  overrides: Partial<Record<keyof SimulatorEnv, string | number>> = {},
): Promise<RunningSimulators> {
  const s = await startSimulators(simulatorDefaults({ ...PORTS, ...overrides }), { stateDir: dir });
  running.push(s);
  return s;
}

async function stop(s: RunningSimulators): Promise<void> {
  running.splice(running.indexOf(s), 1);
  await s.close();
}

async function zohoToken(s: RunningSimulators): Promise<string> {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    client_id: simSecrets.ZOHO_SIM_CLIENT_ID!,
    client_secret: simSecrets.ZOHO_SIM_CLIENT_SECRET!,
    refresh_token: simSecrets.ZOHO_SIM_REFRESH_TOKEN!,
  });
  const res = await fetch(`${s.urls.zohoAccounts}/oauth/v2/token`, { method: 'POST', body: form });
  return ((await res.json()) as { access_token: string }).access_token;
}

const zoho = (s: RunningSimulators, token: string, path: string, init: RequestInit = {}) =>
  fetch(`${s.urls.zohoCrm}/crm/v8${path}`, {
    ...init,
    headers: { authorization: `Zoho-oauthtoken ${token}`, ...init.headers },
  });
const hubspot = (s: RunningSimulators, path: string, init: RequestInit = {}) =>
  fetch(`${s.urls.hubspot}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${simSecrets.HUBSPOT_SIM_TOKEN}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

async function createLead(
  s: RunningSimulators,
  token: string,
  fields: Record<string, string>,
): Promise<{ status: number; id?: string; code?: string }> {
  const res = await zoho(s, token, '/Leads', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ data: [fields] }),
  });
  const item = ((await res.json()) as { data: Array<{ code: string; details: { id?: string } }> }).data[0]!;
  return { status: res.status, id: item.details.id, code: item.code };
}

async function upload(s: RunningSimulators, token: string, leadId: string, bytes: Buffer): Promise<string> {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(bytes)]), 'kept notes.pdf');
  const res = await zoho(s, token, `/Leads/${leadId}/Attachments`, { method: 'POST', body: form });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: Array<{ details: { id: string } }> }).data[0]!.details.id;
}

const zohoIds = (s: RunningSimulators) => [
  ...[...s.zoho.store.records.values()].flatMap((m) => [...m.keys()]),
  ...s.zoho.store.attachments.keys(),
];
const leadCount = (s: RunningSimulators) => s.zoho.store.records.get('Leads')!.size;

describe('simulators with a state dir', () => {
  it('keep records, ids, uploads, layouts, HubSpot objects and files, and issued tokens across a restart', async () => {
    const dir = await stateDir();
    const a = await start(dir);
    expect(a.state).toMatchObject({ dir, loaded: [], seeded: ALL });
    const token = await zohoToken(a);
    const lead = await createLead(a, token, { Last_Name: 'Persisted', Email: 'persisted@example.com' });
    const bytes = randomBytes(3_000);
    const attId = await upload(a, token, lead.id!, bytes);
    expect(
      (
        await fetch(`${a.urls.zohoCrm}/__admin/layouts/Leads/mandatory`, {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ fields: ['Last_Name', 'Company'] }),
        })
      ).status,
    ).toBe(200);
    const properties = { hs_note_body: 'kept', hs_timestamp: new Date().toISOString() };
    const note = await hubspot(a, '/crm/v3/objects/notes', { method: 'POST', body: JSON.stringify({ properties }) });
    const noteId = ((await note.json()) as { id: string }).id;
    const dealId = [...a.hubspot.store.objects.get('deals')!.keys()][0]!;
    const file = (await (
      await adminPost(a.urls.hubspot, `/__admin/deals/${dealId}/files`, {
        name: 'kept',
        extension: 'pdf',
        size: 20_480,
      })
    ).json()) as { id: string };
    const idsBefore = zohoIds(a);
    await stop(a);

    const b = await start(dir);
    expect(b.state).toMatchObject({ loaded: ALL.map((name) => ({ name })), seeded: [], notes: [] });
    expect(describeState(b.state, 42)).toEqual([
      expect.stringMatching(
        /^simulators: state loaded from .+ \(hubspot: 4 deals, 10 notes, 11 files; zoho-accounts: 1 live token; zoho-crm: 26 leads, 5 deals, 6 accounts, 32 contacts, .*56 attachments; zoho-b-accounts: no live tokens; zoho-b-crm: 20 contacts; dtools-si: 6 projects, \d+ change orders; zoho-workdrive: \d+ folders, \d+ files\)$/,
      ),
    ]);
    const got = await zoho(b, token, `/Leads/${lead.id}`);
    expect(got.status).toBe(200);
    expect(((await got.json()) as { data: Array<{ Last_Name: string }> }).data[0]!.Last_Name).toBe('Persisted');
    const download = await zoho(b, token, `/Leads/${lead.id}/Attachments/${attId}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
    expect(((await (await fetch(`${b.urls.zohoAccounts}/__admin/stats`)).json()) as { mints: number }).mints).toBe(1);

    expect(await createLead(b, token, { Last_Name: 'No company' })).toMatchObject({ code: 'MANDATORY_NOT_FOUND' });
    const next = await createLead(b, token, { Last_Name: 'After restart', Company: 'Acme Corp' });
    expect(next.status).toBe(201);
    expect(idsBefore).not.toContain(next.id);
    expect(idsBefore.every((id) => BigInt(id) < BigInt(next.id!))).toBe(true);

    expect((await hubspot(b, `/crm/v3/objects/notes/${noteId}`)).status).toBe(200);
    const kept = await hubspot(b, `/files/v3/files/${file.id}`);
    expect(((await kept.json()) as { name: string }).name).toBe('kept');
  });

  it('go back to their seed on POST /__admin/reset-state, and save it', async () => {
    const dir = await stateDir();
    const fresh = await start(undefined);
    const seededLeads = [...fresh.zoho.store.records.get('Leads')!.keys()];
    const seededNotes = fresh.hubspot.store.objects.get('notes')!.size;
    const a = await start(dir);
    const token = await zohoToken(a);
    const lead = await createLead(a, token, { Last_Name: 'Gone after reset' });
    await hubspot(a, '/crm/v3/objects/notes', {
      method: 'POST',
      body: JSON.stringify({ properties: { hs_timestamp: new Date().toISOString() } }),
    });
    expect(leadCount(a)).toBe(26);

    const reset = await adminPost(a.urls.zohoCrm, '/__admin/reset-state');
    expect(reset.status).toBe(200);
    expect(await reset.json()).toMatchObject({ simulator: 'zoho-crm', seededWith: { SIM_SEED: 42 } });
    expect([...a.zoho.store.records.get('Leads')!.keys()]).toEqual(seededLeads);
    expect((await adminPost(a.urls.hubspot, '/__admin/reset-state')).status).toBe(200);
    expect(a.hubspot.store.objects.get('notes')!.size).toBe(seededNotes);
    expect((await adminPost(a.urls.zohoAccounts, '/__admin/reset-state')).status).toBe(200);
    expect((await zoho(a, token, '/Leads?fields=Last_Name')).status).toBe(401);
    await stop(a);

    const b = await start(dir);
    expect(b.state.seeded).toEqual([]);
    expect([...b.zoho.store.records.get('Leads')!.keys()]).toEqual(seededLeads);
    expect(b.zoho.store.records.get('Leads')!.has(lead.id!)).toBe(false);
  });

  it('save shortly after a change without waiting for close, and not after POST searches that only read', async () => {
    const dir = await stateDir();
    const a = await start(dir);
    const saved = async () => (await stat(join(dir, 'hubspot.json'))).mtimeMs;
    const seeded = await saved();
    const settle = () => new Promise((r) => setTimeout(r, 400));
    expect(
      (await hubspot(a, '/crm/v3/objects/deals/search', { method: 'POST', body: JSON.stringify({ limit: 1 }) })).status,
    ).toBe(200);
    await settle();
    expect(await saved()).toBe(seeded);
    await hubspot(a, '/crm/v3/objects/notes', {
      method: 'POST',
      body: JSON.stringify({ properties: { hs_timestamp: new Date().toISOString() } }),
    });
    await expect.poll(saved, { timeout: 5_000 }).toBeGreaterThan(seeded);
  });

  it('keep the saved data when the seed settings changed, and say how to reseed', async () => {
    const dir = await stateDir();
    await stop(await start(dir));
    const b = await start(dir, { SIM_SEED: 7, SIM_SCALE_LEADS: 3 });
    expect(leadCount(b)).toBe(25);
    // Every simulator seeded from SIM_SEED says so, except both orgs' Zoho Accounts (they have no seeded data).
    expect(b.state.notes).toHaveLength(5);
    expect(b.state.notes.find((n) => n.includes('zoho-crm'))).toMatch(
      /SIM_SEED=42, now 7; SIM_SCALE_LEADS=25, now 3.*--reset.*reset-state/,
    );
  });

  it('without one write nothing and start every time from a fresh seed', async () => {
    const defaultDir = join(root, '.data', 'simulators');
    const mtime = async () => (await stat(join(defaultDir, 'zoho-crm.json')).catch(() => undefined))?.mtimeMs;
    const before = await mtime();
    const a = await startTestSimulators();
    running.push(a);
    await createLead(a, await zohoToken(a), { Last_Name: 'Not kept' });
    await stop(a);
    const b = await startTestSimulators();
    running.push(b);
    expect(b.state).toEqual({ dir: undefined, loaded: [], seeded: ALL, notes: [] });
    expect(leadCount(b)).toBe(25);
    expect(await mtime()).toBe(before);
  });

  it('refuse an unreadable state file, naming it and --reset, without writing anything', async () => {
    const dir = await stateDir();
    await writeFile(join(dir, 'zoho-crm.json'), '{"format":"crm-sync-simulator-state","version":1,');
    await expect(start(dir)).rejects.toThrow(/zoho-crm\.json is not a usable simulator state.*--reset/);
    const wrongShape = {
      format: 'crm-sync-simulator-state',
      version: 1,
      simulator: 'zoho-crm',
      seededWith: null,
      savedAt: '',
      state: { seq: 'x' },
    };
    await writeFile(join(dir, 'zoho-crm.json'), JSON.stringify(wrongShape));
    await expect(start(dir)).rejects.toThrow(/state\.seq/);
    expect(await readdir(dir)).toEqual(['zoho-crm.json']);
  });
});

/** `simulators/main.ts` as `npm run simulators` runs it; resolves once it is ready, or when it exits. */
function runMain(
  args: string[],
  dir: string,
): { output: () => string; ready: Promise<boolean>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/main.ts', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      SIM_STATE_DIR: dir,
      SIM_HUBSPOT_PORT: '0',
      SIM_ZOHO_ACCOUNTS_PORT: '0',
      SIM_ZOHO_CRM_PORT: '0',
      SIM_DTOOLS_SI_PORT: '0',
      SIM_ZOHO_WORKDRIVE_PORT: '0',
      SIM_ZOHO_B_ACCOUNTS_PORT: '0',
      SIM_ZOHO_B_CRM_PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<boolean>((resolve) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('simulators ready')) resolve(true);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => resolve(false));
  });
  return { output: () => out, ready, exited };
}

describe('npm run simulators', () => {
  it('start from the seed with --reset, and exit with 2 on unknown flags or unreadable state', async () => {
    const dir = await stateDir();
    const a = await start(dir);
    await createLead(a, await zohoToken(a), { Last_Name: 'Discarded by --reset' });
    await stop(a);

    const main = runMain(['--reset'], dir);
    expect(await main.ready).toBe(true);
    expect(main.output()).toContain(`simulators: seeded (seed 42) into ${dir}`);
    const crm = /zoho-crm (http:\/\/\S+)\/crm\/v8/.exec(main.output())![1];
    const leads = (await (await fetch(`${crm}/__admin/records/Leads`)).json()) as { records: unknown[] };
    expect(leads.records).toHaveLength(25);
    children.at(-1)!.kill('SIGTERM');
    expect(await main.exited).toBe(0);
    expect(leadCount(await start(dir))).toBe(25);

    await writeFile(join(dir, 'hubspot.json'), 'not json');
    const [bogus, corrupt] = [runMain(['--bogus'], dir), runMain([], dir)];
    expect(await Promise.all([bogus.exited, corrupt.exited])).toEqual([2, 2]);
    expect(bogus.output()).toContain('usage: npm run simulators');
    expect(corrupt.output()).toContain(`${join(dir, 'hubspot.json')} is not a usable simulator state`);
  }, 60_000);
});
