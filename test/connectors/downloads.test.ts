import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../connectors/errors.js';
import type { HubSpotClient } from '../../connectors/hubspot/hubspot.client.js';
import type { HsFile } from '../../simulators/hubspot/hubspot-store.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { hubspot } from '../helpers/connectors.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

let sims: RunningSimulators;
let client: HubSpotClient;
let publicFiles: HsFile[];

beforeAll(async () => {
  sims = await startTestSimulators();
  client = hubspot(sims);
  publicFiles = [...sims.hubspot.store.files.values()].filter((f) => f.access !== 'PRIVATE');
});
afterAll(async () => {
  await sims?.close();
});

const urlOf = async (f: HsFile) => (await client.getFile(f.id)).url!;
const fault = (f: HsFile, rule: Record<string, unknown>) =>
  adminPost(sims.urls.hubspot, '/__admin/faults', { pathPrefix: `/hubfs/${f.id}/`, times: 1, ...rule });

async function byteLength(body: ReadableStream<Uint8Array>): Promise<number> {
  let n = 0;
  for await (const chunk of body as AsyncIterable<Uint8Array>) n += chunk.byteLength;
  return n;
}

describe('downloads through HttpClient.stream', () => {
  // Regression: undici cancels the body of a collected fetch Response whose stream is unlocked, and the body then
  // ends empty without an error; the file sync once recorded the sha256 of nothing that way.
  it('keeps every byte of a body whose Response was garbage-collected before it was read', async () => {
    expect(publicFiles.length).toBeGreaterThan(0);
    for (const f of publicFiles) {
      const body = (await client.download(await urlOf(f))).body!;
      await pause(20);
      gc();
      await pause(20);
      expect(await byteLength(body)).toBe(f.size);
    }
  });

  it('turns a connection cut mid-body into UnavailableError', async () => {
    const f = publicFiles[0]!;
    await fault(f, { kind: 'truncate', lengthHeader: 'full', bytes: 1000 });
    const res = await client.download(await urlOf(f));
    const err = await byteLength(res.body!).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as Error).message).toMatch(/^request to http:\/\/.*\/hubfs\/.* failed: /);
  });

  it('passes a shorter body with an honest Content-Length on: only the declared size can tell', async () => {
    const f = publicFiles[0]!;
    await fault(f, { kind: 'truncate', bytes: 1000 });
    const res = await client.download(await urlOf(f));
    expect(res.headers.get('content-length')).toBe('1000');
    expect(await byteLength(res.body!)).toBe(1000);
  });

  it('answers a 204 with no body rather than a fake response, and fails a 304', async () => {
    const f = publicFiles[0]!;
    await fault(f, { kind: 'status', status: 204 });
    const empty = await client.download(await urlOf(f));
    expect(empty).toBeInstanceOf(Response);
    expect({ status: empty.status, body: empty.body }).toEqual({ status: 204, body: null });
    await fault(f, { kind: 'status', status: 304 });
    await expect(client.download(await urlOf(f))).rejects.toBeInstanceOf(UnavailableError);
  });
});
