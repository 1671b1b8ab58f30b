import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FREE_PORTS, simulatorDefaults, type SimulatorEnv } from '../../simulators/config.js';
import { type RunningSimulators, startSimulators } from '../../simulators/index.js';

type Json = Record<string, unknown>;
const KEY = simulatorDefaults().DTOOLS_SIM_API_KEY;
const HOUR = 3_600_000;
const running: RunningSimulators[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

async function start(overrides: Partial<Record<keyof SimulatorEnv, string | number>> = {}, stateDir?: string) {
  const s = await startSimulators(
    simulatorDefaults({
      ...FREE_PORTS,
      SIM_DTOOLS_SI_IMPORT_DELAY_MS: HOUR,
      ...overrides,
    }),
    { stateDir },
  );
  running.push(s);
  return s;
}

async function stop(s: RunningSimulators): Promise<void> {
  running.splice(running.indexOf(s), 1);
  await s.close();
}

async function stateDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sim-dtools-'));
  dirs.push(dir);
  return dir;
}

const send = (url: string, method: string, headers: Record<string, string>, body?: unknown) =>
  fetch(url, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
const call = (s: RunningSimulators, method: string, path: string, body?: unknown) =>
  send(`${s.urls.dtoolsSi}/si${path}`, method, { 'X-DTSI-ApiKey': KEY }, body);
async function json<T = Json>(s: RunningSimulators, method: string, path: string, body?: unknown): Promise<T> {
  const res = await call(s, method, path, body);
  expect(res.status, `${method} ${path}`).toBe(200);
  return (await res.json()) as T;
}
const publish = (s: RunningSimulators, id: string) =>
  json<{ messageId: string }>(s, 'POST', '/Publish/Projects', { id, client: 'Globex', name: 'Retail signage' });
const status = (s: RunningSimulators, messageId: string) =>
  json(s, 'GET', `/Message/PublishedMessageStatus?messageId=${messageId}`);
const unacknowledged = async (s: RunningSimulators) =>
  (await json<{ projects: Array<{ id: string }> }>(s, 'GET', '/Subscribe/Projects?pageSize=100')).projects;
/** Test-only endpoints acting as the SI user. */
async function admin<T = Json>(s: RunningSimulators, method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(`${s.urls.dtoolsSi}/__admin${path}`, method, {}, body);
  expect(res.status, `${method} /__admin${path}`).toBeLessThan(300);
  return (await res.json()) as T;
}

describe('D-Tools SI simulator: faults', () => {
  it('applies a publish whose connection drops before the answer; the GUID again still makes one project', async () => {
    const s = await start();
    await admin(s, 'POST', '/faults', { kind: 'drop-after', method: 'POST', pathPrefix: '/si/Publish/', times: 1 });
    const id = randomUUID();
    await expect(publish(s, id)).rejects.toThrow();
    expect((await admin<{ messages: Json[] }>(s, 'GET', '/messages')).messages).toEqual([
      expect.objectContaining({ projectId: id, status: 'queued' }),
    ]);

    const retry = await publish(s, id);
    await admin(s, 'POST', '/import');
    expect(await status(s, retry.messageId)).toMatchObject({ status: 'imported', projectId: id });
    const { projects } = await admin<{ projects: Json[] }>(s, 'GET', '/projects');
    expect(projects.filter((p) => p.id === id)).toHaveLength(1);
    expect((await admin<{ counts: Json }>(s, 'GET', '/publish-counts')).counts).toEqual({ [id]: 2 });
  });

  it('applies a publish at once and holds its answer under a latency-after fault', async () => {
    const s = await start();
    await admin(s, 'POST', '/faults', { kind: 'latency-after', latencyMs: 1500, pathPrefix: '/si/Publish/', times: 1 });
    const id = randomUUID();
    const answer = publish(s, id);
    await vi.waitFor(async () =>
      expect((await admin<{ messages: Json[] }>(s, 'GET', '/messages')).messages).toEqual([
        expect.objectContaining({ projectId: id, status: 'queued' }),
      ]),
    );
    const pause = new Promise((r) => setTimeout(() => r('still waiting'), 300));
    expect(await Promise.race([answer.then(() => 'answered'), pause])).toBe('still waiting');
    expect((await answer).messageId).toEqual(expect.any(String));
  });

  it('answers a 429 with Retry-After and a ProblemDetails body from SIM_FAULTS, then serves again', async () => {
    const rule = { kind: 'status', status: 429, retryAfterSec: 3, times: 1 };
    const s = await start({ SIM_FAULTS: JSON.stringify({ dtoolsSi: [rule] }) });
    const limited = await call(s, 'GET', '/Subscribe/Projects');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(await limited.json()).toMatchObject({ status: 429, title: 'Too Many Requests' });
    expect((await call(s, 'GET', '/Subscribe/Projects')).status).toBe(200);
  });
});

describe('D-Tools SI simulator: saved state', () => {
  it('keeps projects, the queue, numbers and acknowledgements across a restart with the same state dir', async () => {
    const dir = await stateDir();
    const a = await start({}, dir);
    expect(a.state.seeded).toContain('dtools-si');
    const [imported, queued] = [randomUUID(), randomUUID()];
    const first = await publish(a, imported);
    await admin(a, 'POST', '/import');
    const second = await publish(a, queued);
    const [acknowledged, ...rest] = await unacknowledged(a);
    expect((await call(a, 'PUT', `/Subscribe/Projects/MarkAsImported?id=${acknowledged!.id}`)).status).toBe(200);
    const number = (await status(a, first.messageId)).projectNumber;
    await stop(a);

    const b = await start({}, dir);
    expect(b.state.loaded.map((l) => l.name)).toContain('dtools-si');
    expect(await status(b, first.messageId)).toMatchObject({ status: 'imported', projectNumber: number });
    expect(await status(b, second.messageId)).toMatchObject({ status: 'queued', projectNumber: null });
    expect((await unacknowledged(b)).map((p) => p.id)).toEqual(rest.map((p) => p.id));
    await admin(b, 'POST', '/import');
    const next = (await status(b, second.messageId)).projectNumber as string;
    expect(next).toMatch(/^P-\d{6}$/);
    expect(next > (number as string)).toBe(true);
  });

  it('saves an import the SI user made on the timer, without any further request', async () => {
    const dir = await stateDir();
    // Later than the save the publish request itself causes (StateWriter waits 200 ms), so only the import saves it.
    const s = await start({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 600 }, dir);
    const { messageId } = await publish(s, randomUUID());
    const saved = async () => {
      const file = JSON.parse(await readFile(join(dir, 'dtools-si.json'), 'utf8')) as { state: { messages: Json[] } };
      return file.state.messages.find((m) => m.id === messageId)?.state;
    };
    await expect.poll(saved, { timeout: 5_000 }).toBe('imported');
  });

  it('goes back to the seed on POST /__admin/reset-state', async () => {
    const s = await start({}, await stateDir());
    const seeded = [...s.dtoolsSi.store.projects.keys()];
    await publish(s, randomUUID());
    await admin(s, 'POST', '/import');
    expect(s.dtoolsSi.store.projects.size).toBe(seeded.length + 1);
    expect(await admin(s, 'POST', '/reset-state')).toMatchObject({
      simulator: 'dtools-si',
      seededWith: { SIM_SEED: 42, SIM_DTOOLS_SI_PROJECTS: 6 },
    });
    expect([...s.dtoolsSi.store.projects.keys()]).toEqual(seeded);
    expect((await admin<{ messages: unknown[] }>(s, 'GET', '/messages')).messages).toEqual([]);
  });
});
