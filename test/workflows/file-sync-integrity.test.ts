import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import { fileSync } from '../../workflows/index.js';
import { hubspotConnection } from '../helpers/connections.js';
import { hubspotExpected, zohoExpected } from '../helpers/expected-files.js';
import { adminPost } from '../helpers/simulators.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.close();
});
afterEach(async () => {
  for (const url of [stack.sims.urls.hubspot, stack.sims.urls.zohoCrm])
    await fetch(`${url}/__admin/faults`, { method: 'DELETE' });
});

/** A full run that downloads content. */
const sync = (connectionId: string) =>
  stack.temporal.client.workflow.execute(fileSync, {
    taskQueue: stack.temporal.settings.taskQueue,
    workflowId: `file-sync:${connectionId}`,
    args: [{ connectionId, mode: 'full', downloadContent: true }],
  });
const rows = (connectionId: string) =>
  stack.db.orm.em.fork().find(FileMetadata, { connectionId, deletedAt: null }, { orderBy: { externalFileId: 'asc' } });
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
/** The status and events of the latest file sync run of a connection. */
async function lastRun(connectionId: string) {
  const runs = new SyncRunsRepository(stack.db.orm.em.fork());
  const run = (await runs.findLatestByWorkflowId(`file-sync:${connectionId}`))!;
  return { status: run.status, events: await runs.events(run.runId) };
}
const fault = async (url: string, rule: Record<string, unknown>) =>
  expect((await adminPost(url, '/__admin/faults', rule)).status).toBe(201);
const rules = async (url: string) =>
  ((await (await fetch(`${url}/__admin/faults`)).json()) as { rules: Array<{ pathPrefix: string; hits: number }> })
    .rules;
const hubfs = (id: string) => `/hubfs/${id}/`;
const fileOf = (e: { details?: unknown }) => (e.details as { externalFileId: string }).externalFileId;

/** A HubSpot connection of its own, so a test sees only its own runs and content. */
async function freshHubSpot(options: Record<string, unknown> = {}): Promise<string> {
  const conn = { ...hubspotConnection(stack.sims), options };
  await new ConnectionsRepository(stack.db.orm.em.fork()).apply([conn]);
  await stack.temporal.workers.syncConnectionWorkers();
  return conn.id;
}

async function addHubSpotFile(size: number): Promise<string> {
  const deal = hubspotExpected(stack.sims)[0]!.dealExternalId;
  const res = await adminPost(stack.sims.urls.hubspot, `/__admin/deals/${deal}/files`, { extension: 'txt', size });
  return ((await res.json()) as { id: string }).id;
}

describe('fileSync: downloaded content is verified before it is recorded', () => {
  it('bodies cut short, cut off or empty once are downloaded again and stored with the declared size and MD5', async () => {
    const [cut, dropped, empty] = hubspotExpected(stack.sims);
    const hs = stack.sims.urls.hubspot;
    await fault(hs, { kind: 'truncate', pathPrefix: hubfs(cut!.externalFileId), times: 1 });
    await fault(hs, {
      kind: 'truncate',
      lengthHeader: 'full',
      bytes: 1000,
      pathPrefix: hubfs(dropped!.externalFileId),
      times: 1,
    });
    await fault(hs, { kind: 'empty-body', pathPrefix: hubfs(empty!.externalFileId), times: 1 });
    const result = await sync(stack.hubspotId);
    expect(result).toMatchObject({ errors: 0 });
    expect(await rules(hs)).toEqual([]);
    const stored = await rows(stack.hubspotId);
    expect(stored.length).toBe(hubspotExpected(stack.sims).length);
    for (const row of stored) {
      const bytes = await readFile(stack.content.pathFor(row.contentSha256!));
      expect({ file: row.externalFileId, size: bytes.length, md5: md5(bytes) }).toEqual({
        file: row.externalFileId,
        size: row.size,
        md5: row.md5,
      });
    }
    expect((await lastRun(stack.hubspotId)).events).toEqual([]);
  });

  it('a file whose body is always empty is an item error naming the size mismatch; the others are stored and the run completes', async () => {
    const victim = zohoExpected(stack.sims)[0]!;
    const path = `/crm/v8/Deals/${victim.dealExternalId}/Attachments/${victim.externalFileId}`;
    await fault(stack.sims.urls.zohoCrm, { kind: 'empty-body', method: 'GET', pathPrefix: path });
    const result = await sync(stack.zohoId);
    expect(result).toMatchObject({ errors: 1, downloaded: zohoExpected(stack.sims).length - 1 });
    const { status, events } = await lastRun(stack.zohoId);
    expect(status).toBe('completed');
    expect(events).toEqual([
      expect.objectContaining({
        level: 'error',
        code: 'CONTENT_SIZE_MISMATCH',
        message: `download of file ${victim.externalFileId} failed: size mismatch: received 0 bytes, the CRM declared ${victim.size}, on 3 downloads`,
        details: expect.objectContaining({
          externalFileId: victim.externalFileId,
          reason: 'size',
          declaredSize: victim.size,
        }),
      }),
    ]);
    expect((await rules(stack.sims.urls.zohoCrm))[0]?.hits).toBe(3);
    const stored = await rows(stack.zohoId);
    expect(stored.filter((r) => !r.contentSha256).map((r) => r.externalFileId)).toEqual([victim.externalFileId]);

    await fetch(`${stack.sims.urls.zohoCrm}/__admin/faults`, { method: 'DELETE' });
    expect(await sync(stack.zohoId)).toMatchObject({ errors: 0, downloaded: 1 });
  });

  it('a body longer than declared is refused unread and one with another MD5 is refused: both reported, neither recorded', async () => {
    const hs = await freshHubSpot();
    const [padded, corrupted] = [await addHubSpotFile(20_000), await addHubSpotFile(20_000)];
    await fault(stack.sims.urls.hubspot, { kind: 'pad', bytes: 1000, pathPrefix: hubfs(padded) });
    await fault(stack.sims.urls.hubspot, { kind: 'corrupt', pathPrefix: hubfs(corrupted) });
    const result = await sync(hs);
    expect(result).toMatchObject({ errors: 2, downloaded: result.created - 2 });
    const { status, events } = await lastRun(hs);
    expect(status).toBe('completed');
    const byFile = Object.fromEntries(events.map((e) => [fileOf(e), e]));
    expect(Object.keys(byFile).sort()).toEqual([padded, corrupted].sort());
    expect(byFile[padded]).toMatchObject({
      code: 'CONTENT_TOO_LONG',
      message: `download of file ${padded} failed: body too long: it announces 21000 bytes, the CRM declared 20000, on 3 downloads`,
    });
    expect(byFile[corrupted]).toMatchObject({
      code: 'CONTENT_CHECKSUM_MISMATCH',
      message: expect.stringMatching(/checksum mismatch: .*, on 3 downloads$/),
    });
    const stored = await rows(hs);
    expect(
      stored
        .filter((r) => !r.contentSha256)
        .map((r) => r.externalFileId)
        .sort(),
    ).toEqual([padded, corrupted].sort());
  });

  it("files above the connection's download cap are reported without being downloaded; smaller files are stored", async () => {
    const cap = 100_000;
    const hs = await freshHubSpot({ maxDownloadBytes: cap });
    await addHubSpotFile(cap + 1);
    await addHubSpotFile(cap);
    // A no-op rule counts the downloads it sees.
    await fault(stack.sims.urls.hubspot, { kind: 'latency', latencyMs: 0, pathPrefix: '/hubfs/' });
    const result = await sync(hs);
    const stored = await rows(hs);
    const [above, within] = [stored.filter((r) => r.size! > cap), stored.filter((r) => r.size! <= cap)];
    expect(above.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ errors: above.length, downloaded: within.length });
    expect((await rules(stack.sims.urls.hubspot))[0]?.hits).toBe(within.length);
    expect(above.every((r) => r.contentSha256 === null) && within.every((r) => r.contentSha256 !== null)).toBe(true);
    const { status, events } = await lastRun(hs);
    expect(status).toBe('completed');
    expect(events.every((e) => e.code === 'CONTENT_TOO_LARGE')).toBe(true);
    expect(events.map((e) => e.message).sort()).toEqual(
      above
        .map(
          (r) =>
            `download of file ${r.externalFileId} failed: the CRM declares ${r.size} bytes, above the download cap of ${cap}; not downloaded`,
        )
        .sort(),
    );
  });
});
