import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContentRejectedError, ContentStore } from '../../storage/content-store.js';

const bytes = (n: number) => Buffer.alloc(n, 0x61);
const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A body in `chunk`-sized pieces that counts what was pulled from it and whether it was cancelled. */
function source(content: Buffer, chunk = 1024) {
  const seen = { pulled: 0, cancelled: false };
  let at = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (at >= content.length) return controller.close();
        const piece = content.subarray(at, at + chunk);
        at += piece.length;
        seen.pulled += piece.length;
        controller.enqueue(piece);
      },
      cancel() {
        seen.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, seen };
}

const newStore = () => new ContentStore(mkdtempSync(join(tmpdir(), 'content-store-test-')));
const leftovers = (store: ContentStore) => readdirSync(join(store.root, 'tmp'));

describe('ContentStore.put', () => {
  it('stores bytes that match the declared size and MD5 under their sha256', async () => {
    const store = newStore();
    const content = bytes(10_000);
    const stored = await store.put(source(content).body, { expect: { size: 10_000, md5: md5(content) } });
    expect(stored).toEqual({ sha256: sha256(content), size: 10_000, alreadyStored: false });
    expect(await store.size(stored.sha256)).toBe(10_000);
    expect(leftovers(store)).toEqual([]);
  });

  it('locks the body before its first await, so nothing can cancel it unread', () => {
    const { body } = source(bytes(10));
    const pending = newStore().put(body);
    expect(body.locked).toBe(true);
    return pending;
  });

  it('refuses a body shorter than declared, empty included, and keeps nothing', async () => {
    const store = newStore();
    for (const length of [0, 4_000]) {
      const err = await store.put(source(bytes(length)).body, { expect: { size: 10_000 } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ContentRejectedError);
      expect(err).toMatchObject({
        reason: 'size',
        bytes: length,
        message: `size mismatch: received ${length} bytes, the CRM declared 10000`,
      });
    }
    expect(await store.has(sha256(Buffer.alloc(0)))).toBe(false);
    expect(leftovers(store)).toEqual([]);
  });

  it('stops reading a body longer than declared at the first byte too many', async () => {
    const store = newStore();
    const { body, seen } = source(bytes(1_000_000), 1024);
    const err = await store.put(body, { expect: { size: 10_000 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'too-long', message: expect.stringContaining('the CRM declared 10000') });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(10_000 + 1024);
    expect(leftovers(store)).toEqual([]);
  });

  it('cuts off a body past the cap when no size was declared', async () => {
    const store = newStore();
    const { body, seen } = source(bytes(1_000_000), 4096);
    const err = await store.put(body, { expect: { size: null, maxBytes: 50_000 } }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      reason: 'above-cap',
      message: expect.stringContaining('above the download cap of 50000'),
    });
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThanOrEqual(50_000 + 4096);
    expect(leftovers(store)).toEqual([]);
  });

  it('refuses without reading a body whose announced length is already too long', async () => {
    const { body, seen } = source(bytes(100_000));
    const err = await newStore()
      .put(body, { expect: { size: 100_000, maxBytes: 1_000, announced: 100_000 } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'above-cap' });
    expect(seen).toEqual({ pulled: 0, cancelled: true });
  });

  it('refuses bytes of the declared size whose MD5 differs, and compares MD5 case-insensitively', async () => {
    const store = newStore();
    const content = bytes(5_000);
    const wrong = Buffer.from(content);
    wrong[100] = 0x62;
    const err = await store
      .put(source(wrong).body, { expect: { size: 5_000, md5: md5(content) } })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ reason: 'checksum', message: expect.stringContaining('checksum mismatch') });
    await expect(
      store.put(source(content).body, { expect: { size: 5_000, md5: md5(content).toUpperCase() } }),
    ).resolves.toMatchObject({ size: 5_000 });
    expect(leftovers(store)).toEqual([]);
  });
});
