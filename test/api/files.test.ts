import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningSimulators } from '../../simulators/index.js';
import { auth, testApp } from '../helpers/api.js';
import { hubspotExpected, zohoExpected } from '../helpers/expected-files.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

type FileItem = {
  id: number;
  provider: string;
  connectionId: string;
  dealId: string;
  name: string;
  extension: string;
  mimeType: string;
  size: number;
  crmCreatedAt: string;
  crmModifiedAt: string;
  hasContent: boolean;
  contentSha256: string | null;
  duplicateOf: number | null;
  deletedAt: string | null;
};

let stack: TestStack;
let sims: RunningSimulators;
let app: FastifyInstance;
let hs: string;
let zo: string;
let all: FileItem[] = [];

const get = async (url: string) => app.inject({ url, headers: auth });
const files = async (query = ''): Promise<FileItem[]> => {
  const out: FileItem[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/files?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.statusCode !== 200) throw new Error(res.body);
    out.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
};

async function waitDone(workflowId: string): Promise<Record<string, unknown>> {
  return vi.waitFor(
    async () => {
      const body = (await get(`/syncs/${encodeURIComponent(workflowId)}`)).json();
      expect(['completed', 'failed', 'canceled', 'terminated', 'timed_out']).toContain(body.status);
      return body as Record<string, unknown>;
    },
    { timeout: 30_000, interval: 100 },
  );
}

beforeAll(async () => {
  stack = await startTestStack();
  ({ sims, hubspotId: hs, zohoId: zo } = stack);
  app = await testApp(stack.db, stack.temporal, stack.content);
  // Duplicate content for the duplicatesOnly filter.
  const first = hubspotExpected(sims)[0]!;
  await fetch(`${sims.urls.hubspot}/__admin/deals/${first.dealExternalId}/files`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'copy', copyOf: first.externalFileId }),
  });
  for (const body of [
    { connectionId: hs, mode: 'full', downloadContent: true },
    { connectionId: zo, mode: 'full', downloadContent: true },
  ]) {
    const res = await app.inject({ method: 'POST', url: '/syncs/files', headers: auth, payload: body });
    expect(res.statusCode).toBe(202);
    expect((await waitDone(res.json().workflowId)).status).toBe('completed');
  }
  all = await files();
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

describe('POST /syncs/files', () => {
  it('started both syncs, whose status carries the counts', async () => {
    const status = await waitDone(`file-sync:${hs}`);
    expect(status).toMatchObject({
      kind: 'file-sync',
      status: 'completed',
      result: { created: hubspotExpected(sims).length, errors: 0 },
    });
  });

  it('runs every file-capable connection with all: true', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/syncs/files',
      headers: auth,
      payload: { all: true, mode: 'incremental' },
    });
    expect(res.statusCode).toBe(202);
    expect(res.json().workflowId).toBe('file-sync-all');
    const done = await waitDone('file-sync-all');
    expect(done.status).toBe('completed');
    const connections = (done.result as { connections: Array<{ connectionId: string; status: string }> }).connections;
    expect(connections.map((c) => c.connectionId).sort()).toEqual([hs, zo].sort());
    expect(connections.every((c) => c.status === 'completed')).toBe(true);
  });

  it('answers 400 for contradictory or malformed bodies and 404 for an unknown connection', async () => {
    for (const payload of [
      {},
      { connectionId: hs, all: true },
      { all: true, dealIds: ['1'] },
      { connectionId: hs, mode: 'sometimes' },
      { connectionId: hs, dealIds: [] },
    ]) {
      const res = await app.inject({ method: 'POST', url: '/syncs/files', headers: auth, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('VALIDATION_ERROR');
    }
    expect(
      (await app.inject({ method: 'POST', url: '/syncs/files', headers: auth, payload: { connectionId: 'nope' } }))
        .statusCode,
    ).toBe(404);
  });
});

describe('GET /files', () => {
  it('lists every synced file exactly once across pages, each with provider and connectionId', async () => {
    const expected = hubspotExpected(sims).length + zohoExpected(sims).length;
    expect(all).toHaveLength(expected);
    expect(new Set(all.map((f) => f.id)).size).toBe(expected);
    const small: FileItem[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(`/files?limit=3&sort=-size${cursor ? `&cursor=${cursor}` : ''}`);
      small.push(...res.json().items);
      cursor = res.json().nextCursor;
    } while (cursor);
    expect(small.map((f) => f.id).sort()).toEqual(all.map((f) => f.id).sort());
    expect(small.map((f) => f.size)).toEqual([...small.map((f) => f.size)].sort((a, b) => b - a));
    expect(
      all.every(
        (f) =>
          (f.provider === 'hubspot' && f.connectionId === hs) || (f.provider === 'zoho-crm' && f.connectionId === zo),
      ),
    ).toBe(true);
  });

  it('filters by connection, provider, deal, name substring, extension, MIME type, size and dates', async () => {
    expect(await files(`&provider=zoho-crm`)).toHaveLength(all.filter((f) => f.provider === 'zoho-crm').length);
    expect(await files(`&connectionId=${hs}`)).toHaveLength(all.filter((f) => f.connectionId === hs).length);
    const deal = all[0]!.dealId;
    expect((await files(`&dealId=${deal}`)).every((f) => f.dealId === deal)).toBe(true);
    const sample = all.find((f) => f.name.length > 4)!;
    const fragment = sample.name.slice(1, 4).toUpperCase();
    const byName = await files(`&q=${encodeURIComponent(fragment)}`);
    expect(byName.map((f) => f.id).sort()).toEqual(
      all
        .filter((f) => f.name.toLowerCase().includes(fragment.toLowerCase()))
        .map((f) => f.id)
        .sort(),
    );
    const ext = all[0]!.extension;
    expect(await files(`&extension=${ext}`)).toHaveLength(all.filter((f) => f.extension === ext).length);
    const mime = all[0]!.mimeType;
    expect(await files(`&mimeType=${encodeURIComponent(mime)}`)).toHaveLength(
      all.filter((f) => f.mimeType === mime).length,
    );
    const sizes = await files('&minSize=100000&maxSize=400000');
    expect(sizes).toHaveLength(all.filter((f) => f.size >= 100_000 && f.size <= 400_000).length);
    const mid = [...all].sort((a, b) => a.crmCreatedAt.localeCompare(b.crmCreatedAt))[Math.floor(all.length / 2)]!
      .crmCreatedAt;
    expect(await files(`&createdFrom=${mid}`)).toHaveLength(all.filter((f) => f.crmCreatedAt >= mid).length);
    expect(await files(`&modifiedTo=${mid}`)).toHaveLength(all.filter((f) => f.crmModifiedAt <= mid).length);
  });

  it('finds duplicates and, on request, soft-deleted files', async () => {
    const dups = await files('&duplicatesOnly=true');
    expect(dups).toHaveLength(1);
    expect(all.find((f) => f.id === dups[0]!.duplicateOf)?.contentSha256).toBe(dups[0]!.contentSha256);
    const victim = hubspotExpected(sims)[1]!;
    await fetch(`${sims.urls.hubspot}/__admin/files/${victim.externalFileId}`, { method: 'DELETE' });
    const res = await app.inject({
      method: 'POST',
      url: '/syncs/files',
      headers: auth,
      payload: { connectionId: hs, mode: 'full' },
    });
    await waitDone(res.json().workflowId);
    expect((await files()).some((f) => f.name === victim.name && f.connectionId === hs)).toBe(false);
    const withDeleted = await files('&includeDeleted=true');
    expect(withDeleted.find((f) => f.name === victim.name && f.connectionId === hs)?.deletedAt).toEqual(
      expect.any(String),
    );
  });

  it('answers 400 naming each bad filter', async () => {
    for (const q of [
      'minSize=abc',
      'minSize=10&maxSize=5',
      'createdFrom=yesterday',
      'sort=bogus',
      'limit=0',
      'unknown=1',
      'provider=salesforce',
      'duplicatesOnly=maybe',
      'cursor=garbage',
    ]) {
      const res = await get(`/files?${q}`);
      expect(res.statusCode, q).toBe(400);
    }
    const res = await get('/files?minSize=abc&sort=bogus');
    expect(res.json().error.details.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['querystring.minSize', 'querystring.sort']),
    );
  });
});

describe('single files, content and deals', () => {
  it('GET /files/:id returns the file; unknown → 404; non-numeric → 400', async () => {
    const f = all[0]!;
    expect((await get(`/files/${f.id}`)).json()).toMatchObject({ id: f.id, name: f.name });
    expect((await get('/files/999999')).statusCode).toBe(404);
    expect((await get('/files/abc')).statusCode).toBe(400);
  });

  it('streams content with its content type and the stored bytes', async () => {
    const f = all.find((x) => x.provider === 'zoho-crm')!;
    const res = await get(`/files/${f.id}/content`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain(f.mimeType);
    expect(res.rawPayload.length).toBe(f.size);
    expect(createHash('sha256').update(res.rawPayload).digest('hex')).toBe(f.contentSha256);
  });

  it('answers 404 for content never downloaded', async () => {
    const deal = hubspotExpected(sims)[0]!.dealExternalId;
    await fetch(`${sims.urls.hubspot}/__admin/deals/${deal}/files`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'metadata-only', extension: 'pdf' }),
    });
    const res = await app.inject({
      method: 'POST',
      url: '/syncs/files',
      headers: auth,
      payload: { connectionId: hs, mode: 'full' },
    });
    await waitDone(res.json().workflowId);
    const f = (await files('&q=metadata-only'))[0]!;
    expect(f.hasContent).toBe(false);
    const content = await get(`/files/${f.id}/content`);
    expect(content.statusCode).toBe(404);
    expect(content.json().error.code).toBe('NOT_FOUND');
  });

  it('DELETE /files/:id forgets our copy only', async () => {
    const f = (await files('&q=metadata-only'))[0]!;
    expect((await app.inject({ method: 'DELETE', url: `/files/${f.id}`, headers: auth })).statusCode).toBe(204);
    expect((await get(`/files/${f.id}`)).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/files/${f.id}`, headers: auth })).statusCode).toBe(404);
  });

  it('DELETE /files/:id frees the duplicates of an original in the same transaction as the delete', async () => {
    const dup = (await files('&duplicatesOnly=true'))[0]!;
    const original = dup.duplicateOf!;
    const sql = (q: string) => stack.db.orm.em.fork().getConnection().execute(q);
    // A delete that fails after the duplicates were freed must leave them pointing at their original.
    await sql(
      `create function refuse_delete() returns trigger language plpgsql as $$ begin raise exception 'refused'; end $$`,
    );
    await sql(
      `create trigger refuse_delete before delete on file_metadata for each row when (old.id = ${original}) execute function refuse_delete()`,
    );
    try {
      expect((await app.inject({ method: 'DELETE', url: `/files/${original}`, headers: auth })).statusCode).toBe(500);
      expect((await get(`/files/${dup.id}`)).json().duplicateOf).toBe(original);
    } finally {
      await sql('drop trigger refuse_delete on file_metadata');
      await sql('drop function refuse_delete()');
    }
    expect((await app.inject({ method: 'DELETE', url: `/files/${original}`, headers: auth })).statusCode).toBe(204);
    expect((await get(`/files/${dup.id}`)).json().duplicateOf).toBeNull();
    expect((await get(`/files/${original}`)).statusCode).toBe(404);
  });

  it("lists deals with file counts and a deal's files", async () => {
    const deals = (await get(`/deals?connectionId=${zo}`)).json();
    expect(deals.items).toHaveLength(5);
    const deal = deals.items[0];
    const dealFiles = (await get(`/deals/${deal.id}/files`)).json();
    expect(dealFiles.items).toHaveLength(deal.fileCount);
    expect(dealFiles.items.every((f: FileItem) => f.dealId === deal.dealId)).toBe(true);
    expect((await get('/deals/999999/files')).statusCode).toBe(404);
    expect((await get('/deals?cursor=zzz')).statusCode).toBe(400);
  });
});
