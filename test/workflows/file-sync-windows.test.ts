import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import type { FileSyncInput } from '../../workflows/definitions.js';
import { fileSync } from '../../workflows/index.js';
import { hubspotConnection } from '../helpers/connections.js';
import { hubspotExpected } from '../helpers/expected-files.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

const CAP = 300;
let stack: TestStack;
let capped: string;

beforeAll(async () => {
  // 1,200 deals and a search cap of 300: an incremental run must split its time window to reach them all.
  stack = await startTestStack({ SIM_SCALE_HUBSPOT_DEALS: 1200, SIM_HUBSPOT_SEARCH_CAP: CAP });
  const conn = { ...hubspotConnection(stack.sims), options: { searchResultCap: CAP } };
  capped = conn.id;
  await new ConnectionsRepository(stack.db.orm.em.fork()).apply([conn]);
  await stack.temporal.workers.syncConnectionWorkers();
});
afterAll(async () => {
  await stack?.close();
});

const sync = (input: FileSyncInput) =>
  stack.temporal.client.workflow.execute(fileSync, {
    taskQueue: stack.temporal.settings.taskQueue,
    workflowId: `file-sync:${input.connectionId}`,
    args: [input],
  });
const liveIds = async (connectionId: string) =>
  (
    await stack.db.orm.em
      .fork()
      .find(FileMetadata, { connectionId, deletedAt: null }, { orderBy: { externalFileId: 'asc' } })
  ).map((f) => f.externalFileId);
const touch = (body: object) =>
  fetch(`${stack.sims.urls.hubspot}/__admin/deals/touch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('fileSync: long runs and search windows', () => {
  it('continues as new between pages and still records one completed run with the right counts', async () => {
    const result = await sync({ connectionId: stack.hubspotId, mode: 'full', pagesPerRun: 1 });
    const expected = hubspotExpected(stack.sims)
      .map((f) => f.externalFileId)
      .sort();
    expect(result).toMatchObject({ pages: 3, deals: 1200, created: expected.length, errors: 0 });
    expect(await liveIds(stack.hubspotId)).toEqual(expected);
    const desc = await stack.temporal.client.workflow.getHandle(`file-sync:${stack.hubspotId}`).describe();
    const run = await new SyncRunsRepository(stack.db.orm.em.fork()).findLatestByWorkflowId(
      `file-sync:${stack.hubspotId}`,
    );
    expect(run).toMatchObject({ status: 'completed', counts: { pages: 3, created: expected.length } });
    // The row is keyed by the first run; the execution that finished is a later one (continued as new).
    expect(desc.runId).not.toBe(run!.runId);
  });

  it('an incremental search past the result cap splits its window and loses no deal', async () => {
    // First run: full, to set the cursor. Then every deal is modified at distinct instants after it.
    await sync({ connectionId: capped, mode: 'full' });
    const base = Date.now() + 5 * 60_000;
    const deals = [...stack.sims.hubspot.store.objects.get('deals')!.keys()];
    for (const [i, id] of deals.entries()) await touch({ ids: [id], at: new Date(base + i * 1000).toISOString() });
    await new ConnectionsRepository(stack.db.orm.em.fork()).apply([
      { ...hubspotConnection(stack.sims, { id: capped }), options: { searchResultCap: CAP } },
    ]);
    const result = await sync({ connectionId: capped, mode: 'incremental' });
    expect(result.deals).toBeGreaterThanOrEqual(1200);
    expect(result.errors).toBe(0);
  });

  it('an incremental search through more ties at one instant than the cap walks them by id', async () => {
    await touch({ at: new Date(Date.now() + 60 * 60_000).toISOString() });
    const deal = [...stack.sims.hubspot.store.objects.get('deals')!.keys()][700]!;
    const added = (await (
      await fetch(`${stack.sims.urls.hubspot}/__admin/deals/${deal}/files`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'found-among-ties', extension: 'pdf' }),
      })
    ).json()) as { id: string };
    // Put the file's deal back among the ties after attaching (attaching touched it).
    await touch({ ids: [deal], at: new Date(Date.now() + 60 * 60_000).toISOString() });
    await touch({ at: stack.sims.hubspot.store.objects.get('deals')!.get(deal)!.properties.hs_lastmodifieddate! });
    const result = await sync({ connectionId: capped, mode: 'incremental' });
    expect(result.errors).toBe(0);
    expect(result.deals).toBeGreaterThanOrEqual(1200);
    expect(result.created).toBe(1);
    expect(await liveIds(capped)).toContain(added.id);
  });
});
