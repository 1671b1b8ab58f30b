import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FolderStore, OffsetPage } from '../../connectors/capabilities.js';
import { AuthError, ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../../connectors/errors.js';
import type { TokenStore } from '../../connectors/token-store.js';
import { WorkdriveClient } from '../../connectors/zoho-workdrive/workdrive.client.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { buildCapabilities } from '../../worker/providers.js';
import { simSecrets, workdriveConnection } from '../helpers/connections.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

const MB = 1024 * 1024;
const UPLOAD_LIMIT = 6 * MB;

interface AdminFile {
  id: string;
  name: string;
  kind: string;
  parentId: string;
  trashed: boolean;
  size: number;
  modifiedAt: number | string;
}

let sims: RunningSimulators;
let teamFolderId: string;

/** Tokens cached in memory, like the shared Postgres store but for one test file. */
function memoryTokenStore(): TokenStore {
  const tokens = new Map<string, Awaited<ReturnType<TokenStore['get']>>>();
  return {
    get: async (key) => tokens.get(key),
    withLock: async (key, fn) => {
      const token = await fn(tokens.get(key));
      tokens.set(key, token);
      return token;
    },
  };
}
// ⚠ Zoho mints at most 10 tokens per 10 minutes per refresh token (crm-apis.md 1.4): one cached token serves the
// tests; each capsOf() still gets its own governor, so a 429's pause stays in its test.
const SHARED = 'wd-connector-test';
const sharedTokens = memoryTokenStore();
const capsOf = (opts: Parameters<typeof workdriveConnection>[1] = {}, tokenStore = sharedTokens) =>
  buildCapabilities(workdriveConnection(sims, { id: SHARED, ...opts }), { env: simSecrets, tokenStore });
const foldersOf = (opts: Parameters<typeof workdriveConnection>[1] = {}) => capsOf(opts).folders!;

const adminFiles = async (): Promise<AdminFile[]> =>
  ((await (await fetch(`${sims.urls.workdrive}/__admin/files`)).json()) as { files: AdminFile[] }).files;
const adminCreate = async (path: '/__admin/folders' | '/__admin/files', body: Record<string, unknown>) => {
  const res = await adminPost(sims.urls.workdrive, path, body);
  expect(res.status, `POST ${path}`).toBe(201);
  return (await res.json()) as AdminFile;
};
const liveChildren = async (parentId: string, kind: 'file' | 'folder') =>
  (await adminFiles()).filter((f) => f.parentId === parentId && f.kind === kind && !f.trashed);

async function allPages<T>(read: (offset: number) => Promise<OffsetPage<T>>): Promise<{ items: T[]; calls: number }> {
  const items: T[] = [];
  let calls = 0;
  for (let offset: number | null = 0; offset !== null; calls++) {
    const page: OffsetPage<T> = await read(offset);
    items.push(...page.items);
    offset = page.nextOffset;
  }
  return { items, calls };
}

/** `size` random bytes in 64 KiB chunks, hashed as they are made; `closed` turns true when the reader stops. */
function generated(size: number) {
  const hash = createHash('sha256');
  const state = { closed: false, digest: () => hash.digest('hex') };
  async function* chunks() {
    try {
      for (let left = size; left > 0; left -= 64 * 1024) {
        const chunk = randomBytes(Math.min(64 * 1024, left));
        hash.update(chunk);
        yield chunk;
      }
    } finally {
      state.closed = true;
    }
  }
  return { content: chunks(), state };
}

beforeAll(async () => {
  sims = await startTestSimulators({ SIM_ZOHO_WORKDRIVE_UPLOAD_LIMIT_BYTES: UPLOAD_LIMIT });
  const info = (await (await fetch(`${sims.urls.workdrive}/__admin/info`)).json()) as {
    teamFolders: Array<{ id: string }>;
  };
  teamFolderId = info.teamFolders[0]!.id;
});
afterEach(async () => {
  await fetch(`${sims.urls.workdrive}/__admin/faults`, { method: 'DELETE' });
});
afterAll(async () => {
  await sims?.close();
});

describe('Zoho WorkDrive connector (FolderStore over HTTP against the simulator)', () => {
  it('lists every subfolder of the team folder across pages of 3, with ids, names, times and permalinks', async () => {
    const expected = await liveChildren(teamFolderId, 'folder');
    expect(expected.length).toBeGreaterThan(6);
    const folders = foldersOf({ pageSize: 3 });
    const { items, calls } = await allPages((offset) => folders.teamFolderChildren(teamFolderId, offset));
    expect(calls).toBe(Math.floor(expected.length / 3) + 1);
    expect(items.map((f) => f.id).sort()).toEqual(expected.map((f) => f.id).sort());
    for (const folder of items) {
      const admin = expected.find((f) => f.id === folder.id)!;
      expect(folder).toEqual({
        id: admin.id,
        name: admin.name,
        modifiedMs: new Date(admin.modifiedAt).getTime(),
        permalink: expect.stringContaining(admin.id),
      });
    }
  });

  it('lists the files directly in a folder across pages, with sizes and times, leaving out subfolders and the trash', async () => {
    const folder = await adminCreate('/__admin/folders', { name: 'Paging Person' });
    const sizes = [10, 2_000, 30_000, 400, 5, 6_789, 77];
    const made = [];
    for (const [i, size] of sizes.entries())
      made.push(await adminCreate('/__admin/files', { name: `file-${i}.bin`, parentId: folder.id, size }));
    await adminCreate('/__admin/folders', { name: 'Sub folder', parentId: folder.id });
    const trashed = made.pop()!;
    const trash = await fetch(`${sims.urls.workdrive}/__admin/files/${trashed.id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ trashed: true }),
    });
    expect(trash.ok).toBe(true);

    const folders = foldersOf({ pageSize: 2 });
    const { items, calls } = await allPages((offset) => folders.folderFiles(folder.id, offset));
    const expected = await liveChildren(folder.id, 'file');
    expect(expected).toHaveLength(6);
    expect(calls).toBe(4);
    expect(items.sort((a, b) => a.name.localeCompare(b.name))).toEqual(
      expected
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((f) => ({ id: f.id, name: f.name, size: f.size, modifiedMs: new Date(f.modifiedAt).getTime() })),
    );
  });

  it('uploads a 5 MB stream read chunk by chunk, and the same bytes download back', async () => {
    const folder = (await liveChildren(teamFolderId, 'folder'))[0]!;
    const size = 5 * MB + 123;
    const source = generated(size);
    const uploaded = await foldersOf().upload(
      folder.id,
      'Plans – ünïcode & co.pdf',
      Readable.from(source.content),
      size,
    );
    expect(uploaded).toMatchObject({ name: 'Plans – ünïcode & co.pdf', permalink: expect.any(String) });
    expect(source.state.closed).toBe(true);

    const stored = (await adminFiles()).find((f) => f.id === uploaded.resourceId);
    expect(stored).toMatchObject({ name: 'Plans – ünïcode & co.pdf', parentId: folder.id, size, trashed: false });

    const token = (await sharedTokens.get(SHARED))!.accessToken;
    const client = new WorkdriveClient({
      baseUrl: `${sims.urls.workdrive}/workdrive/api/v1`,
      downloadBaseUrl: sims.urls.workdrive,
      auth: { headers: async () => ({ authorization: `Zoho-oauthtoken ${token}` }) },
    });
    const res = await client.download(uploaded.resourceId);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.byteLength).toBe(size);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(source.state.digest());
  });

  it('a second upload of a name the folder holds is a ConflictError (R504) and the first file stays as it was', async () => {
    const folder = (await liveChildren(teamFolderId, 'folder'))[1]!;
    const folders = foldersOf();
    const first = await folders.upload(folder.id, 'contract.txt', generated(1000).content, 1000);
    const again = generated(2000);
    const err = await folders.upload(folder.id, 'contract.txt', again.content, 2000).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect(err).toMatchObject({ status: 409, code: 'R504', message: expect.stringContaining('R504') });
    expect(again.state.closed).toBe(true);
    const named = (await liveChildren(folder.id, 'file')).filter((f) => f.name === 'contract.txt');
    expect(named).toEqual([expect.objectContaining({ id: first.resourceId, size: 1000 })]);
  });

  it('a file above the upload limit is answered 413, a ValidationError naming the limit, and nothing is kept', async () => {
    const folder = (await liveChildren(teamFolderId, 'folder'))[2]!;
    const source = generated(UPLOAD_LIMIT + 1);
    const err = await foldersOf()
      .upload(folder.id, 'too-big.bin', source.content, UPLOAD_LIMIT + 1)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ status: 413, message: expect.stringContaining('at most 250 MB') });
    expect((await liveChildren(folder.id, 'file')).map((f) => f.name)).not.toContain('too-big.bin');
  });

  it('a file above 250 MB is refused before a byte is sent, and its content is closed unread', async () => {
    const before = (await (await fetch(`${sims.urls.workdrive}/__admin/stats`)).json()) as { requests: number };
    const source = generated(251 * MB);
    const readable = Readable.from(source.content);
    const err = await foldersOf()
      .upload(teamFolderId, 'huge.bin', readable, 251 * MB)
      .catch((e: unknown) => e);
    expect(readable.destroyed).toBe(true);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'UPLOAD_TOO_LARGE', message: expect.stringContaining('250 MB') });
    const after = (await (await fetch(`${sims.urls.workdrive}/__admin/stats`)).json()) as { requests: number };
    expect(after.requests).toBe(before.requests);
  });

  it('content shorter than the size given is a ValidationError and no file is kept', async () => {
    const folder = (await liveChildren(teamFolderId, 'folder'))[3]!;
    const err = await foldersOf()
      .upload(folder.id, 'short.bin', generated(1000).content, 5000)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect(err).toMatchObject({ code: 'CONTENT_SIZE_MISMATCH' });
    expect((await liveChildren(folder.id, 'file')).map((f) => f.name)).not.toContain('short.bin');
  });

  it('an upload into a folder that does not exist is a NotFoundError (401 R502), not an AuthError', async () => {
    const err = await foldersOf()
      .upload('nosuchfolder0000000000000', 'lost.txt', generated(10).content, 10)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ status: 401, code: 'R502' });
  });

  it('a 429 with Retry-After is a RateLimitedError carrying the wait', async () => {
    const folders = foldersOf();
    const fault = await adminPost(sims.urls.workdrive, '/__admin/faults', {
      kind: 'status',
      status: 429,
      retryAfterSec: 2,
      times: 1,
      pathPrefix: '/workdrive/api/v1/files',
    });
    expect(fault.ok).toBe(true);
    const err = await folders.teamFolderChildren(teamFolderId).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 2000, exhausted: false });
  });

  it('a 429 answered before a 5 MB upload body is read is a RateLimitedError, not a short-content error', async () => {
    const folder = (await liveChildren(teamFolderId, 'folder'))[0]!;
    const fault = await adminPost(sims.urls.workdrive, '/__admin/faults', {
      kind: 'status',
      status: 429,
      retryAfterSec: 1,
      times: 1,
      method: 'POST',
      pathPrefix: '/workdrive/api/v1/upload',
    });
    expect(fault.ok).toBe(true);
    const size = 5 * MB;
    const source = generated(size);
    const err = await foldersOf()
      // A web stream, as a CRM download's body is: closing it early ends its reads without an error.
      .upload(folder.id, 'answered-early.bin', ReadableStream.from(source.content), size)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect(err).toMatchObject({ status: 429, retryAfterMs: 1000 });
    expect((await adminFiles()).some((f) => f.name === 'answered-early.bin')).toBe(false);
  });

  it('a refresh token Zoho does not know is an AuthError, from the check as from a listing', async () => {
    const caps = capsOf({ id: 'wd-wrong', refreshTokenEnv: 'WRONG_ZOHO_REFRESH_TOKEN' }, memoryTokenStore());
    await expect(caps.check!.check()).rejects.toBeInstanceOf(AuthError);
    await expect(caps.folders!.teamFolderChildren(teamFolderId)).rejects.toBeInstanceOf(AuthError);
  });

  it('an access token WorkDrive does not know is an AuthError with its code', async () => {
    const client = new WorkdriveClient({
      baseUrl: `${sims.urls.workdrive}/workdrive/api/v1`,
      downloadBaseUrl: sims.urls.workdrive,
      auth: { headers: async () => ({ authorization: 'Zoho-oauthtoken 1000.not-a-token' }) },
    });
    const err = await client.me().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toMatchObject({ status: 401, code: 'INVALID_OAUTHTOKEN' });
  });

  it('a cached access token WorkDrive rejects is replaced once and the call goes through', async () => {
    const store = memoryTokenStore();
    const stale = {
      accessToken: '1000.stale',
      apiDomain: sims.urls.zohoCrm,
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    const conn = workdriveConnection(sims);
    await store.withLock(conn.id, async () => stale);
    const folders: FolderStore = buildCapabilities(conn, { env: simSecrets, tokenStore: store }).folders!;
    const page = await folders.teamFolderChildren(teamFolderId);
    expect(page.items.length).toBeGreaterThan(0);
    expect((await store.get(conn.id))?.accessToken).not.toBe('1000.stale');
  });

  it('the check proves the token with a users/me read', async () => {
    await expect(capsOf({ id: 'wd-check' }, memoryTokenStore()).check!.check()).resolves.toEqual({
      verified: 'OAuth token + WorkDrive users/me read',
      tokenRefreshed: true,
    });
  });
});
