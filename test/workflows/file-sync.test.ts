import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileMetadata } from '../../db/entities/index.js';
import { SyncRunsRepository } from '../../db/repositories/sync-runs.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import type { ContentStore } from '../../storage/content-store.js';
import type { FileSyncInput } from '../../workflows/definitions.js';
import { fileSync } from '../../workflows/index.js';
import { pgTokenStore } from '../helpers/connectors.js';
import type { TestDb } from '../helpers/db.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import type { TestTemporal } from '../helpers/temporal.js';
import { hubspotExpected, zohoExpected } from '../helpers/expected-files.js';

let stack: TestStack;
let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let content: ContentStore;
let hs: string;
let zo: string;

beforeAll(async () => {
  stack = await startTestStack();
  ({ db, sims, temporal, content, hubspotId: hs, zohoId: zo } = stack);
});
afterAll(async () => {
  await stack?.close();
});

const sync = (input: FileSyncInput) =>
  temporal.client.workflow.execute(fileSync, {
    taskQueue: temporal.settings.taskQueue,
    workflowId: `file-sync:${input.connectionId}`,
    args: [input],
  });
const stored = async (connectionId: string) =>
  await db.orm.em.fork().find(FileMetadata, { connectionId }, { orderBy: { externalFileId: 'asc' } });
const live = async (connectionId: string) => (await stored(connectionId)).filter((f) => !f.deletedAt);

describe('fileSync: seed data', () => {
  it('lands every HubSpot file once with its deal, name, size and type', async () => {
    const result = await sync({ connectionId: hs, mode: 'full' });
    const expected = hubspotExpected(sims);
    expect(result).toMatchObject({ created: expected.length, updated: 0, errors: 0, deals: 4 });
    const rows = await live(hs);
    expect(
      rows.map((r) => ({
        externalFileId: r.externalFileId,
        dealExternalId: r.dealExternalId,
        name: r.name,
        size: r.size,
        extension: r.extension,
      })),
    ).toEqual(expected);
    expect(rows.every((r) => r.mimeType && r.provider === 'hubspot' && r.crmCreatedAt instanceof Date)).toBe(true);
  });

  it('lands every Zoho file once with its deal, name, size and type', async () => {
    const result = await sync({ connectionId: zo, mode: 'full' });
    const expected = zohoExpected(sims);
    expect(result).toMatchObject({ created: expected.length, errors: 0, deals: 5 });
    const rows = await live(zo);
    expect(
      rows.map((r) => ({
        externalFileId: r.externalFileId,
        dealExternalId: r.dealExternalId,
        name: r.name,
        size: r.size,
        extension: r.extension,
      })),
    ).toEqual(expected);
  });

  it('a second run creates nothing and changes nothing', async () => {
    for (const id of [hs, zo]) {
      const before = (await stored(id)).map((r) => [r.id, r.updatedAt.getTime()]);
      const again = await sync({ connectionId: id, mode: 'full' });
      expect(again).toMatchObject({ created: 0, updated: 0, deleted: 0, errors: 0 });
      expect(again.unchanged).toBe(before.length);
      expect((await stored(id)).map((r) => [r.id, r.updatedAt.getTime()])).toEqual(before);
    }
  });
});

const admin = (base: string, method: string, path: string, body?: unknown) =>
  fetch(`${base}${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

describe('fileSync: changes in the CRM', () => {
  it('updates a renamed file and soft-deletes a removed one on a full run', async () => {
    const [first, second] = hubspotExpected(sims);
    await admin(sims.urls.hubspot, 'POST', `/__admin/files/${first!.externalFileId}`, { name: 'Renamed Contract' });
    await admin(sims.urls.hubspot, 'DELETE', `/__admin/files/${second!.externalFileId}`);
    const zFile = zohoExpected(sims)[0]!;
    await admin(sims.urls.zohoCrm, 'POST', `/__admin/attachments/${zFile.externalFileId}`, {
      fileName: 'renamed in zoho.pdf',
    });
    const h = await sync({ connectionId: hs, mode: 'full' });
    expect(h).toMatchObject({ updated: 1, deleted: 1, created: 0 });
    const rows = await stored(hs);
    expect(rows.find((r) => r.externalFileId === first!.externalFileId)?.name).toBe(
      `Renamed Contract.${first!.extension}`,
    );
    expect(rows.find((r) => r.externalFileId === second!.externalFileId)?.deletedAt).toBeInstanceOf(Date);
    const z = await sync({ connectionId: zo, mode: 'full' });
    expect(z).toMatchObject({ updated: 1, created: 0 });
    expect((await stored(zo)).find((r) => r.externalFileId === zFile.externalFileId)?.name).toBe('renamed in zoho.pdf');
  });

  it('a dry run reports what it would do and writes nothing to the synced tables', async () => {
    const deal = [...sims.hubspot.store.objects.get('deals')!.keys()][0]!;
    const added = (await (
      await admin(sims.urls.hubspot, 'POST', `/__admin/deals/${deal}/files`, { name: 'dry-run-only', extension: 'pdf' })
    ).json()) as { id: string };
    const before = JSON.stringify(await stored(hs));
    const plan = await sync({ connectionId: hs, mode: 'full', dryRun: true });
    expect(plan).toMatchObject({ dryRun: true, created: 1, updated: 0, deleted: 0 });
    expect(JSON.stringify(await stored(hs))).toBe(before);
    expect((await stored(hs)).some((r) => r.externalFileId === added.id)).toBe(false);
  });

  it('an incremental run picks up files of deals modified since the last run, and the next one finds nothing new', async () => {
    const inc = await sync({ connectionId: hs, mode: 'incremental' });
    expect(inc.created).toBe(1);
    expect(inc.deals).toBeLessThan(4);
    const again = await sync({ connectionId: hs, mode: 'incremental' });
    expect(again.created).toBe(0);
    // Zoho: a new attachment moves its deal's Modified_Time; If-Modified-Since finds only that deal.
    const zDeal = zohoExpected(sims)[0]!.dealExternalId;
    await uploadZoho(zDeal, 'incremental-new.txt', 'brand new bytes');
    const zInc = await sync({ connectionId: zo, mode: 'incremental' });
    expect(zInc).toMatchObject({ created: 1, deals: 1 });
    expect((await sync({ connectionId: zo, mode: 'incremental' })).created).toBe(0);
  });

  it('dealIds and fileIds runs touch only those deals and files', async () => {
    const files = hubspotExpected(sims);
    const target = files[files.length - 1]!;
    await admin(sims.urls.hubspot, 'POST', `/__admin/files/${target.externalFileId}`, { name: 'only-this-one' });
    const other = files.find((f) => f.dealExternalId !== target.dealExternalId)!;
    await admin(sims.urls.hubspot, 'POST', `/__admin/files/${other.externalFileId}`, { name: 'not-yet' });
    const byFile = await sync({ connectionId: hs, mode: 'full', fileIds: [target.externalFileId] });
    expect(byFile).toMatchObject({ updated: 1, created: 0, deleted: 0, unchanged: 0 });
    const rows = await stored(hs);
    expect(rows.find((r) => r.externalFileId === other.externalFileId)?.name).not.toContain('not-yet');
    const byDeal = await sync({ connectionId: hs, mode: 'full', dealIds: [other.dealExternalId] });
    expect(byDeal.updated).toBe(1);
    expect(byDeal.deals).toBe(1);
    expect(byDeal.deleted).toBe(0);
  });
});

async function uploadZoho(dealId: string, name: string, text: string): Promise<void> {
  const token = (await pgTokenStore(db.orm).get(zo))!.accessToken;
  const form = new FormData();
  form.set('file', new Blob([text]), name);
  const res = await fetch(`${sims.urls.zohoCrm}/crm/v8/Deals/${dealId}/Attachments`, {
    method: 'POST',
    headers: { authorization: `Zoho-oauthtoken ${token}` },
    body: form,
  });
  if (!res.ok) throw new Error(`upload failed: ${res.status}`);
}

describe('fileSync: content', () => {
  it('downloads content into the content store once and flags byte-identical files as duplicates', async () => {
    const original = hubspotExpected(sims)[0]!;
    const copy = (await (
      await admin(sims.urls.hubspot, 'POST', `/__admin/deals/${original.dealExternalId}/files`, {
        name: 'copy of first',
        copyOf: original.externalFileId,
      })
    ).json()) as { id: string };
    const result = await sync({ connectionId: hs, mode: 'full', downloadContent: true });
    expect(result.errors).toBe(0);
    const rows = await live(hs);
    expect(rows.every((r) => r.contentSha256)).toBe(true);
    expect(result.downloaded).toBe(rows.length);
    const a = rows.find((r) => r.externalFileId === original.externalFileId)!;
    const b = rows.find((r) => r.externalFileId === copy.id)!;
    expect(b.contentSha256).toBe(a.contentSha256);
    expect(b.duplicateOfId).toBe(a.id);
    expect(rows.filter((r) => r.duplicateOfId !== null)).toHaveLength(1);
    expect(await content.size(a.contentSha256!)).toBe(a.size);
    const again = await sync({ connectionId: hs, mode: 'full', downloadContent: true });
    expect(again.downloaded).toBe(0);
  });

  it('downloads again what the content store lost (a wiped or different DATA_DIR)', async () => {
    const rows = await live(hs);
    const victim = rows.find(
      (r) => r.contentSha256 && rows.filter((o) => o.contentSha256 === r.contentSha256).length === 1,
    )!;
    await rm(content.pathFor(victim.contentSha256!));
    const result = await sync({ connectionId: hs, mode: 'full', downloadContent: true });
    expect(result.downloaded).toBe(1);
    expect(await content.has(victim.contentSha256!)).toBe(true);
  });

  it('downloads Zoho attachments through the API and stores identical uploads once', async () => {
    const zFile = zohoExpected(sims).find((f) => f.size < 200_000)!;
    const token = (await pgTokenStore(db.orm).get(zo))!.accessToken;
    const bytes = await (
      await fetch(`${sims.urls.zohoCrm}/crm/v8/Deals/${zFile.dealExternalId}/Attachments/${zFile.externalFileId}`, {
        headers: { authorization: `Zoho-oauthtoken ${token}` },
      })
    ).arrayBuffer();
    const otherDeal = zohoExpected(sims).find((f) => f.dealExternalId !== zFile.dealExternalId)!.dealExternalId;
    const form = new FormData();
    form.set('file', new Blob([bytes]), 'same bytes.pdf');
    await fetch(`${sims.urls.zohoCrm}/crm/v8/Deals/${otherDeal}/Attachments`, {
      method: 'POST',
      headers: { authorization: `Zoho-oauthtoken ${token}` },
      body: form,
    });
    const result = await sync({ connectionId: zo, mode: 'full', downloadContent: true });
    expect(result).toMatchObject({ errors: 0, created: 1, duplicates: 1 });
    const rows = await live(zo);
    const dup = rows.find((r) => r.name === 'same bytes.pdf')!;
    expect(dup.duplicateOfId).toBe(rows.find((r) => r.externalFileId === zFile.externalFileId)!.id);
  });
});

describe('fileSync: per-item failures', () => {
  it('a deal whose attachments cannot be read is reported in sync_events and does not fail the run; nothing is soft-deleted', async () => {
    const victim = zohoExpected(sims)[0]!.dealExternalId;
    await fetch(`${sims.urls.zohoCrm}/__admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'status',
        status: 404,
        body: { code: 'INVALID_URL_PATTERN', message: 'gone', status: 'error', details: {} },
        pathPrefix: `/crm/v8/Deals/${victim}/Attachments`,
      }),
    });
    try {
      const handle = await temporal.client.workflow.start(fileSync, {
        taskQueue: temporal.settings.taskQueue,
        workflowId: `file-sync:${zo}`,
        args: [{ connectionId: zo, mode: 'full' }],
      });
      const result = await handle.result();
      expect(result).toMatchObject({ errors: 1, deleted: 0 });
      expect(result.softDeleteSkipped).toContain('1 item(s) failed');
      expect((await live(zo)).filter((f) => f.dealExternalId === victim).length).toBeGreaterThan(0);
      const run = await new SyncRunsRepository(db.orm.em.fork()).findLatestByWorkflowId(`file-sync:${zo}`);
      expect(run?.status).toBe('completed');
      const events = await new SyncRunsRepository(db.orm.em.fork()).events(run!.runId);
      expect(events).toEqual([
        expect.objectContaining({ level: 'error', code: 'NotFoundError', details: { dealExternalId: victim } }),
      ]);
    } finally {
      await fetch(`${sims.urls.zohoCrm}/__admin/faults`, { method: 'DELETE' });
    }
  });
});
