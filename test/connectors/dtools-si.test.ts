import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectQueue } from '../../connectors/capabilities.js';
import { AuthError, ConflictError, ValidationError } from '../../connectors/errors.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { buildCapabilities } from '../../worker/providers.js';
import { dtoolsConnection, simSecrets } from '../helpers/connections.js';
import { startTestSimulators } from '../helpers/simulators.js';

let sims: RunningSimulators;
let projects: ProjectQueue;
const tokenStore = {
  get: async () => undefined,
  withLock: async () => {
    throw new Error('D-Tools has no tokens');
  },
};
const queueOf = (keyEnv?: string) =>
  buildCapabilities(dtoolsConnection(sims, { keyEnv }), { env: simSecrets, tokenStore }).projects!;
const admin = async (path: string, init: { method: string; body?: unknown }) => {
  const res = await fetch(`${sims.urls.dtoolsSi}${path}`, {
    method: init.method,
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  expect(res.ok, `${init.method} ${path}: HTTP ${res.status}`).toBe(true);
  return res.json() as Promise<Record<string, unknown>>;
};

const otherPublish = async (id = randomUUID()) => {
  const res = await fetch(`${sims.urls.dtoolsSi}/si/Publish/Projects`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-dtsi-apikey': simSecrets.DTOOLS_SIM_API_KEY },
    body: JSON.stringify({ id, name: 'Other', client: 'Other' }),
  });
  expect(res.status).toBe(200);
};

beforeAll(async () => {
  sims = await startTestSimulators({ SIM_DTOOLS_SI_IMPORT_DELAY_MS: 600_000 });
  projects = queueOf();
});
afterAll(async () => {
  await sims?.close();
});

describe('D-Tools SI connector (ProjectQueue over HTTP against the simulator)', () => {
  it('a wrong key is an AuthError, and the check proves the right one', async () => {
    await expect(queueOf('WRONG_DTOOLS_API_KEY').publishedEntries(1, 1)).rejects.toBeInstanceOf(AuthError);
    const check = buildCapabilities(dtoolsConnection(sims), { env: simSecrets, tokenStore }).check!;
    await expect(check.check()).resolves.toMatchObject({ verified: expect.stringContaining('API key') });
  });

  it('a publish is queued until the SI user imports it; then the status carries the project number', async () => {
    const id = randomUUID();
    const { messageId } = await projects.publish({
      id,
      integrationProjectId: 'deal-1',
      fields: { name: 'Smith residence', client: 'Smith', budget: 12_500 },
    });
    expect(await projects.publishStatus(messageId)).toEqual({
      state: 'queued',
      projectId: id,
      projectNumber: null,
      error: null,
    });
    await admin('/__admin/import', { method: 'POST', body: { messageId } });
    const status = await projects.publishStatus(messageId);
    expect(status).toMatchObject({ state: 'imported', projectId: id, error: null });
    expect(status.projectNumber).toMatch(/^P-\d+$/);
  });

  it('re-publishing the same GUID updates the one project', async () => {
    const id = randomUUID();
    await projects.publish({ id, integrationProjectId: 'deal-2', fields: { name: 'Jones', client: 'Jones' } });
    await projects.publish({ id, integrationProjectId: 'deal-2', fields: { name: 'Jones (rev)', client: 'Jones' } });
    const counts = (await admin('/__admin/publish-counts', { method: 'GET' })).counts as Record<string, number>;
    expect(counts[id]).toBe(2);
    await admin('/__admin/import', { method: 'POST', body: { projectId: id } });
    const all = (await admin('/__admin/projects', { method: 'GET' })).projects as Array<{ id: string }>;
    expect(all.filter((p) => p.id === id)).toHaveLength(1);
  });

  it("finds a project's newest publish among more messages than a page holds, and nothing for an unknown one", async () => {
    const id = randomUUID();
    const mine = await projects.publish({ id, integrationProjectId: 'deal-4', fields: { name: 'Lee', client: 'Lee' } });
    // Other projects straight to the simulator: the connector keeps to 120 calls a minute.
    for (let i = 0; i < 125; i++) await otherPublish();
    const again = await projects.publish({
      id,
      integrationProjectId: 'deal-4',
      fields: { name: 'Lee 2', client: 'Lee' },
    });
    for (let i = 0; i < 5; i++) await otherPublish(randomUUID());
    expect(again.messageId).not.toBe(mine.messageId);
    expect(await projects.lastPublish(id.toUpperCase(), 'publish')).toEqual({ messageId: again.messageId });
    expect(await projects.lastPublish(id, 'update')).toBeNull();
    expect(await projects.lastPublish(randomUUID(), 'publish')).toBeNull();
  });

  it('a project SI refuses is a ValidationError naming the field', async () => {
    const err = await projects
      .publish({ id: randomUUID(), integrationProjectId: 'deal-3', fields: { name: 'No client', client: '' } })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/client/i);
  });

  it('what the SI user publishes is read with its change orders, acknowledged with its stamp, and a stale stamp is a conflict', async () => {
    const id = randomUUID();
    const { messageId } = await projects.publish({
      id,
      integrationProjectId: 'deal-4',
      fields: { name: 'Lee', client: 'Lee' },
    });
    await admin('/__admin/import', { method: 'POST', body: { messageId } });
    await admin(`/__admin/projects/${id}`, {
      method: 'PATCH',
      body: { fields: { progress: 'In Progress', price: 18_000 } },
    });
    await admin(`/__admin/projects/${id}/change-orders`, {
      method: 'POST',
      body: { coName: 'Extra speakers', coStatus: 'Approved', price: 1_200, coNotes: 'Two more rooms' },
    });
    const mine = async () => {
      const found = [];
      for (let page = 1; ; page += 1) {
        const { entries } = await projects.publishedEntries(page, 100);
        found.push(...entries.filter((e) => e.projectId === id));
        if (entries.length < 100) return found;
      }
    };
    const entries = await mine();
    expect(entries.map((e) => e.coNumber)).toEqual([null, '1']);
    expect(entries.every((e) => e.integrationProjectId === 'deal-4' && typeof e.stamp === 'number')).toBe(true);
    const project = await projects.readProject(id);
    expect(project).toMatchObject({
      id,
      integrationProjectId: 'deal-4',
      values: { name: 'Lee', progress: 'In Progress', price: 18_000 },
    });
    expect(project.number).toMatch(/^P-\d+$/);
    expect(project.changeOrders).toEqual([
      { number: '1', name: 'Extra speakers', status: 'Approved', price: 1_200, notes: 'Two more rooms' },
    ]);

    await admin(`/__admin/projects/${id}`, { method: 'PATCH', body: { fields: { progress: 'Complete' } } });
    await expect(projects.acknowledge(entries[0]!)).rejects.toBeInstanceOf(ConflictError);
    const fresh = (await mine()).find((e) => e.coNumber === null)!;
    await projects.acknowledge(fresh);
    await projects.acknowledge(entries[1]!);
    expect(await mine()).toEqual([]);
  });
});
