import { orgBToken } from '../helpers/simulators.js';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FREE_PORTS, simulatorDefaults } from '../../simulators/config.js';
import { type RunningSimulators, startSimulators } from '../../simulators/index.js';
import { WORKDRIVE_DEFAULT_TEAM_FOLDER_ID } from '../../simulators/zoho-workdrive/wd-seed.js';

type Json = Record<string, unknown>;
const TEAM_FOLDER = WORKDRIVE_DEFAULT_TEAM_FOLDER_ID;
const running: RunningSimulators[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(stateDir: string): Promise<RunningSimulators> {
  const s = await startSimulators(simulatorDefaults(FREE_PORTS), { stateDir });
  running.push(s);
  return s;
}
async function stop(s: RunningSimulators): Promise<void> {
  running.splice(running.indexOf(s), 1);
  await s.close();
}

const token = orgBToken;
async function call<T>(s: RunningSimulators, tok: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(`${s.urls.workdrive}${path}`, {
    ...init,
    headers: { authorization: `Zoho-oauthtoken ${tok}`, ...init.headers },
  });
  expect(res.status, path).toBeLessThan(300);
  return (res.headers.get('content-type')?.includes('json') ? await res.json() : await res.arrayBuffer()) as T;
}

describe('Zoho WorkDrive simulator: saved state', () => {
  it('keeps a folder made through the API and a file uploaded into it, bytes included, across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-workdrive-'));
    dirs.push(dir);
    const a = await start(dir);
    expect(a.state.seeded).toContain('zoho-workdrive');
    const tokA = await token(a);
    const folder = await call<{ data: { id: string } }>(a, tokA, '/workdrive/api/v1/files', {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json' },
      body: JSON.stringify({ data: { type: 'files', attributes: { name: 'Mae Jemison', parent_id: TEAM_FOLDER } } }),
    });
    const bytes = randomBytes(300_000);
    const form = new FormData();
    form.append('content', new Blob([new Uint8Array(bytes)]));
    form.append('parent_id', folder.data.id);
    form.append('filename', encodeURIComponent('Plan (v2).pdf'));
    const uploaded = await call<{ data: Array<{ attributes: Json }> }>(a, tokA, '/workdrive/api/v1/upload', {
      method: 'POST',
      body: form,
    });
    const fileId = uploaded.data[0]!.attributes.resource_id as string;
    await stop(a);

    const b = await start(dir);
    expect(b.state.loaded.map((l) => l.name)).toContain('zoho-workdrive');
    const tokB = await token(b);
    const children = await call<{ data: Array<{ id: string; attributes: Json }> }>(
      b,
      tokB,
      `/workdrive/api/v1/files/${folder.data.id}/files`,
    );
    expect(children.data.map((c) => [c.id, c.attributes.name])).toEqual([[fileId, 'Plan (v2).pdf']]);
    const parent = await call<{ data: { attributes: Json } }>(b, tokB, `/workdrive/api/v1/files/${folder.data.id}`);
    expect(parent.data.attributes).toMatchObject({ name: 'Mae Jemison', parent_id: TEAM_FOLDER });
    const down = await call<ArrayBuffer>(b, tokB, `/v1/workdrive/download/${fileId}`);
    expect(Buffer.from(down).equals(bytes)).toBe(true);
    // The bytes are a file in the state dir, not base64 inside the saved JSON.
    expect(await readdir(join(dir, 'zoho-workdrive-files'))).toHaveLength(1);
  });

  it('goes back to the seed on POST /__admin/reset-state', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sim-workdrive-'));
    dirs.push(dir);
    const s = await start(dir);
    const seeded = [...s.workdrive.store.nodes.keys()].sort();
    const added = await fetch(`${s.urls.workdrive}/__admin/folders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Temporary' }),
    });
    expect(added.status).toBe(201);
    expect(s.workdrive.store.nodes.size).toBe(seeded.length + 1);
    const reset = await fetch(`${s.urls.workdrive}/__admin/reset-state`, { method: 'POST' });
    expect(await reset.json()).toMatchObject({ simulator: 'zoho-workdrive', seededWith: { SIM_SEED: 42 } });
    expect([...s.workdrive.store.nodes.keys()].sort()).toEqual(seeded);
  });
});
