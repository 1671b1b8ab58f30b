import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { RunningSimulators } from '../../simulators/index.js';
import { buildWorkDriveSimulator } from '../../simulators/zoho-workdrive/workdrive.app.js';
import { WdBlobs } from '../../simulators/zoho-workdrive/wd-blobs.js';
import {
  WORKDRIVE_DEFAULT_TEAM_FOLDER_ID,
  WORKDRIVE_SEED_DUPLICATE,
  WORKDRIVE_SEED_PEOPLE,
  seedWorkDrive,
} from '../../simulators/zoho-workdrive/wd-seed.js';
import { WdStore } from '../../simulators/zoho-workdrive/wd-store.js';
import { adminPost, orgBToken, startTestSimulators } from '../helpers/simulators.js';

type Json = Record<string, unknown>;
type Resource = { id: string; type: string; attributes: Json; links: { self: string } };
const TEAM_FOLDER = WORKDRIVE_DEFAULT_TEAM_FOLDER_ID;

const running: RunningSimulators[] = [];
const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

async function start(overrides: Parameters<typeof startTestSimulators>[0] = {}) {
  const s = await startTestSimulators(overrides);
  running.push(s);
  return s;
}

const token = orgBToken;

const call = (base: string, tok: string, path: string, init: RequestInit = {}) =>
  fetch(`${base}/workdrive/api/v1${path}`, {
    ...init,
    headers: { authorization: `Zoho-oauthtoken ${tok}`, accept: 'application/vnd.api+json', ...init.headers },
  });
async function data<T>(base: string, tok: string, path: string, init?: RequestInit): Promise<T> {
  const res = await call(base, tok, path, init);
  expect(res.status, path).toBeLessThan(300);
  return ((await res.json()) as { data: T }).data;
}
const writeJson = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/vnd.api+json' },
  body: JSON.stringify(body),
});

function uploadForm(parentId: string, name: string, bytes: Buffer | undefined, override?: 'true' | 'false') {
  const form = new FormData();
  if (bytes) form.append('content', new Blob([new Uint8Array(bytes)]), 'ignored.bin');
  form.append('parent_id', parentId);
  form.append('filename', encodeURIComponent(name));
  if (override) form.append('override-name-exist', override);
  return { method: 'POST', body: form };
}
const upload = (base: string, tok: string, ...args: Parameters<typeof uploadForm>) =>
  call(base, tok, '/upload', uploadForm(...args));

async function admin<T = Json>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/__admin${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status, `${method} /__admin${path}`).toBeLessThan(300);
  return (res.status === 204 ? {} : await res.json()) as T;
}
type AdminFile = { id: string; name: string; parentId: string; kind: string; trashed: boolean; modifiedAt: number };
const adminFiles = async (base: string) => (await admin<{ files: AdminFile[] }>(base, 'GET', '/files')).files;

describe('Zoho WorkDrive simulator: auth', () => {
  it('answers 401 with an errors[] body to no header, a Bearer header and an unknown token', async () => {
    const s = await start();
    const tok = await token(s);
    const url = `${s.urls.workdrive}/workdrive/api/v1/users/me`;
    for (const headers of [{}, { authorization: `Bearer ${tok}` }, { authorization: 'Zoho-oauthtoken 1000.nope' }]) {
      const res = await fetch(url, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ errors: [{ id: 'INVALID_OAUTHTOKEN', title: expect.any(String) }] });
    }
  });

  it('accepts a Zoho-oauthtoken minted by the Zoho Accounts simulator and leads from the user to the team folder', async () => {
    const s = await start();
    const tok = await token(s);
    const me = await data<Resource>(s.urls.workdrive, tok, '/users/me');
    const [team] = await data<Resource[]>(s.urls.workdrive, tok, `/users/${me.id}/teams`);
    const member = await data<Resource>(s.urls.workdrive, tok, `/teams/${team!.id}/currentuser`);
    expect(member.id).not.toBe(me.id);
    const folders = await data<Resource[]>(s.urls.workdrive, tok, `/teams/${team!.id}/teamfolders`);
    expect(folders.map((f) => [f.id, f.type, f.attributes.name])).toEqual([[TEAM_FOLDER, 'teamfolders', 'Clients']]);
  });
});

describe('Zoho WorkDrive simulator: reads', () => {
  it('pages through a folder with page[limit]/page[offset], raw or URL-encoded, until a short page', async () => {
    const s = await start();
    const tok = await token(s);
    const seen: Resource[] = [];
    const pages: number[] = [];
    for (let offset = 0; ; offset += 8) {
      const query =
        offset % 16 ? `page%5Blimit%5D=8&page%5Boffset%5D=${offset}` : `page[limit]=8&page[offset]=${offset}`;
      const rows = await data<Resource[]>(s.urls.workdrive, tok, `/files/${TEAM_FOLDER}/files?${query}`);
      pages.push(rows.length);
      seen.push(...rows);
      if (rows.length < 8) break;
    }
    expect(pages).toEqual([8, 8, 5]);
    expect(new Set(seen.map((r) => r.id)).size).toBe(WORKDRIVE_SEED_PEOPLE.length + 1);
    expect((await call(s.urls.workdrive, tok, `/files/${TEAM_FOLDER}/files?page[limit]=201`)).status).toBe(400);
  });

  it('describes a folder in JSON:API with display-string times next to millisecond numbers', async () => {
    const s = await start();
    const tok = await token(s);
    const [first] = await data<Resource[]>(s.urls.workdrive, tok, `/files/${TEAM_FOLDER}/folders?page[limit]=1`);
    const one = await data<Resource>(s.urls.workdrive, tok, `/files/${first!.id}`);
    expect(one).toMatchObject({ id: first!.id, type: 'files', links: { self: expect.stringContaining(first!.id) } });
    expect(one.attributes).toMatchObject({
      type: 'folder',
      is_folder: true,
      parent_id: TEAM_FOLDER,
      modified_time: expect.stringMatching(/^[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d{2} [AP]M$/),
      modified_time_in_millisecond: expect.any(Number),
      created_time_in_millisecond: expect.any(Number),
    });
  });

  it('searches names case-insensitively within the team, and filter[type]=folder keeps only folders', async () => {
    const s = await start();
    const tok = await token(s);
    const team = (await admin<{ teamId: string }>(s.urls.workdrive, 'GET', '/info')).teamId;
    const q = encodeURIComponent(WORKDRIVE_SEED_DUPLICATE.split(' ')[1]!.toUpperCase());
    const hits = await data<Resource[]>(s.urls.workdrive, tok, `/teams/${team}/records?search[name]=${q}`);
    expect(hits.map((h) => h.attributes.name)).toEqual([WORKDRIVE_SEED_DUPLICATE, WORKDRIVE_SEED_DUPLICATE]);
    expect(hits[0]!.attributes.modified_time_in_millisecond).not.toBe(hits[1]!.attributes.modified_time_in_millisecond);

    const all = await data<Resource[]>(s.urls.workdrive, tok, `/teams/${team}/records?search[all]=e&page[limit]=200`);
    const folders = await data<Resource[]>(
      s.urls.workdrive,
      tok,
      `/teams/${team}/records?search[all]=e&filter[type]=folder&page[limit]=200`,
    );
    expect(all.some((r) => r.attributes.is_folder === false)).toBe(true);
    expect(folders.length).toBeGreaterThan(0);
    expect(folders.every((r) => r.attributes.is_folder === true)).toBe(true);
    expect(folders.length).toBeLessThan(all.length);
  });
});

describe('Zoho WorkDrive simulator: writes', () => {
  it('creates a folder, renames it, refuses a clashing name with 409 R504, and trashes it', async () => {
    const s = await start();
    const tok = await token(s);
    const attributes = { name: 'Nikola Tesla', parent_id: TEAM_FOLDER };
    const made = await data<Resource>(
      s.urls.workdrive,
      tok,
      '/files',
      writeJson('POST', { data: { attributes, type: 'files' } }),
    );
    const rename = (name: string) =>
      call(
        s.urls.workdrive,
        tok,
        `/files/${made.id}`,
        writeJson('PATCH', { data: { attributes: { name }, type: 'files' } }),
      );
    expect((await rename('N. Tesla')).status).toBe(200);
    const clash = await rename('ada lovelace');
    expect(clash.status).toBe(409);
    expect(await clash.json()).toEqual({ errors: [{ id: 'R504', title: expect.any(String) }] });
    const trash = writeJson('PATCH', { data: { attributes: { status: '51' }, type: 'files' } });
    expect((await data<Resource>(s.urls.workdrive, tok, `/files/${made.id}`, trash)).attributes.status).toBe(51);
    const children = await data<Resource[]>(s.urls.workdrive, tok, `/files/${TEAM_FOLDER}/folders?page[limit]=200`);
    expect(children.map((c) => c.id)).not.toContain(made.id);
  });

  it('uploads a file, refuses the same name with 409 R504, and keeps the id for a new version on override', async () => {
    const s = await start();
    const tok = await token(s);
    const name = 'Angebot Müller & Söhne.pdf';
    const first = await upload(s.urls.workdrive, tok, TEAM_FOLDER, name, Buffer.from('%PDF-1.4 one'), 'false');
    expect(first.status).toBe(200);
    const [created] = ((await first.json()) as { data: Array<{ type: string; attributes: Json }> }).data;
    expect(created).toMatchObject({ type: 'files', attributes: { parent_id: TEAM_FOLDER, FileName: name } });
    expect(JSON.parse(created!.attributes['File INFO'] as string)).toMatchObject({
      RESOURCE_ID: created!.attributes.resource_id,
    });

    const clash = await upload(s.urls.workdrive, tok, TEAM_FOLDER, name, Buffer.from('%PDF-1.4 two'), 'false');
    expect(clash.status).toBe(409);
    expect(((await clash.json()) as { errors: Json[] }).errors[0]).toMatchObject({ id: 'R504' });

    const again = await upload(s.urls.workdrive, tok, TEAM_FOLDER, name, Buffer.from('%PDF-1.4 three'), 'true');
    expect(again.status).toBe(200);
    const id = ((await again.json()) as { data: Array<{ attributes: Json }> }).data[0]!.attributes.resource_id;
    expect(id).toBe(created!.attributes.resource_id);
    const file = await data<Resource>(s.urls.workdrive, tok, `/files/${id as string}`);
    const bytes = await fetch(file.attributes.download_url as string, {
      headers: { authorization: `Zoho-oauthtoken ${tok}` },
    });
    expect(await bytes.text()).toBe('%PDF-1.4 three');
    expect((await adminFiles(s.urls.workdrive)).filter((f) => f.name === name)).toHaveLength(1);
  });

  it('answers 400 to an upload without content and 413 to one above the limit, keeping nothing', async () => {
    const s = await start({ SIM_ZOHO_WORKDRIVE_UPLOAD_LIMIT_BYTES: 64 * 1024 });
    const tok = await token(s);
    const missing = await upload(s.urls.workdrive, tok, TEAM_FOLDER, 'empty.txt', undefined);
    expect(missing.status).toBe(400);
    const big = await upload(s.urls.workdrive, tok, TEAM_FOLDER, 'big.bin', randomBytes(64 * 1024 + 1));
    expect(big.status).toBe(413);
    const fits = await upload(s.urls.workdrive, tok, TEAM_FOLDER, 'fits.bin', randomBytes(64 * 1024));
    expect(fits.status).toBe(200);
    const names = (await adminFiles(s.urls.workdrive)).map((f) => f.name);
    expect(names).toContain('fits.bin');
    expect(names).not.toContain('big.bin');
    expect(names).not.toContain('empty.txt');
    expect(await admin(s.urls.workdrive, 'GET', '/stats')).toMatchObject({ uploads: 1, uploadsRejected: 2 });
  });

  it('serves a multi-MB upload from the download path byte for byte', async () => {
    const s = await start();
    const tok = await token(s);
    const bytes = randomBytes(6 * 1024 * 1024 + 123);
    const res = await upload(s.urls.workdrive, tok, TEAM_FOLDER, 'site survey.mp4', bytes);
    expect(res.status).toBe(200);
    const id = ((await res.json()) as { data: Array<{ attributes: Json }> }).data[0]!.attributes.resource_id as string;
    const down = await fetch(`${s.urls.workdrive}/v1/workdrive/download/${id}`, {
      headers: { authorization: `Zoho-oauthtoken ${tok}` },
    });
    expect(down.status).toBe(200);
    expect(Buffer.from(await down.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it('keeps an upload whose connection a drop-after fault cut before the answer', async () => {
    const s = await start();
    const tok = await token(s);
    await adminPost(s.urls.workdrive, '/__admin/faults', {
      kind: 'drop-after',
      method: 'POST',
      pathPrefix: '/workdrive/api/v1/upload',
      times: 1,
    });
    await expect(upload(s.urls.workdrive, tok, TEAM_FOLDER, 'dropped.txt', Buffer.from('kept'))).rejects.toThrow();
    const file = (await adminFiles(s.urls.workdrive)).find((f) => f.name === 'dropped.txt');
    expect(file).toMatchObject({ parentId: TEAM_FOLDER, trashed: false });
    const retry = await upload(s.urls.workdrive, tok, TEAM_FOLDER, 'dropped.txt', Buffer.from('kept'), 'false');
    expect(retry.status).toBe(409);
  });

  it('lets a person stage two folders of one name; the later modified time shows in the API', async () => {
    const s = await start();
    const tok = await token(s);
    const older = await admin<AdminFile>(s.urls.workdrive, 'POST', '/folders', {
      name: 'Mae Jemison',
      modifiedTime: '2026-01-05T10:00:00Z',
    });
    const newer = await admin<AdminFile>(s.urls.workdrive, 'POST', '/folders', {
      name: 'Mae Jemison',
      modifiedTime: '2026-02-05T10:00:00Z',
    });
    expect(older.parentId).toBe(TEAM_FOLDER);
    const team = (await admin<{ teamId: string }>(s.urls.workdrive, 'GET', '/info')).teamId;
    const hits = await data<Resource[]>(
      s.urls.workdrive,
      tok,
      `/teams/${team}/records?search[name]=mae%20jemison&sort=-modified_time`,
    );
    expect(hits.map((h) => h.id)).toEqual([newer.id, older.id]);
    expect(hits[0]!.attributes.modified_time_in_millisecond).toBe(Date.parse('2026-02-05T10:00:00Z'));
  });
});

describe('Zoho WorkDrive simulator: scopes', () => {
  async function scoped(scopes: string[]) {
    const store = new WdStore();
    seedWorkDrive(store, { seed: 1, teamFolderId: TEAM_FOLDER, folders: 3 });
    let base = '';
    const app = buildWorkDriveSimulator({
      store,
      blobs: new WdBlobs(),
      verifyToken: (t) => (t === 'good' ? { org: store.identity.orgId, scopes } : null),
      baseUrl: () => base,
      uploadLimitBytes: 1024 * 1024,
    });
    apps.push(app);
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const file = [...store.nodes.values()].find((n) => n.kind === 'file')!;
    return { base, file };
  }
  const download = (base: string, id: string) =>
    fetch(`${base}/v1/workdrive/download/${id}`, { headers: { authorization: 'Zoho-oauthtoken good' } });

  it('refuses a download with 401 INVALID_OAUTHSCOPE when the token lacks ZohoFiles.files.READ', async () => {
    const { base, file } = await scoped(['WorkDrive.files.ALL', 'WorkDrive.team.READ']);
    expect((await call(base, 'good', `/files/${file.id}`)).status).toBe(200);
    const res = await download(base, file.id);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { errors: Json[] }).errors[0]).toMatchObject({ id: 'INVALID_OAUTHSCOPE' });
  });

  it('serves the download when the token carries ZohoFiles.files.READ', async () => {
    const { base, file } = await scoped(['ZohoFiles.files.READ']);
    const res = await download(base, file.id);
    expect(res.status).toBe(200);
    expect((await res.arrayBuffer()).byteLength).toBe(file.size);
  });
});
