import { Client, Connection } from '@temporalio/client';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { WorkdriveTransfer } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { TRANSFER_DUPLICATE, TRANSFER_MAX_BYTES } from '../../simulators/zoho/crm-seed-transfer.js';
import type { TransferCounts } from '../../workflows/workdrive-transfer-definitions.js';
import { simSecrets } from '../helpers/connections.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { transferContacts, transferJob, unstamped, wdNodes } from '../helpers/transfer.js';
import { spawnWorker } from '../helpers/worker-process.js';

let db: TestDb;
let sims: RunningSimulators;
let connection: Connection;
let client: Client;
let env: Record<string, string>;
let jobId: string;
const workers: Array<ReturnType<typeof spawnWorker>> = [];

const startWorker = async () => {
  const w = spawnWorker(env);
  workers.push(w);
  await w.ready;
  return w;
};
const faultsLeft = async () =>
  ((await (await fetch(`${sims.urls.workdrive}/__admin/faults`)).json()) as { rules: unknown[] }).rules;

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const { connections, job } = transferJob(sims);
  jobId = job.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply(connections, [job]);
  connection = await Connection.connect({ address: inject('temporalAddress') });
  client = new Client({ connection });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: `kill-wd-${randomBytes(4).toString('hex')}`,
    TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    DATA_DIR: mkdtempSync(join(tmpdir(), 'crm-sync-kill-wd-')),
    ...simSecrets,
  };
});
afterAll(async () => {
  for (const w of workers) w.process.kill('SIGKILL');
  await connection?.close();
  await sims?.close();
  await db?.close();
});

describe('WorkDrive transfer survives the worker', () => {
  it(
    'a worker SIGKILLed in the middle of a multi-MB upload: after a restart every file is in its folder once',
    { timeout: 150_000 },
    async () => {
      // The record whose first attachment is the seed's largest (5 MB), in the folder of its name.
      const contact = transferContacts(sims).find((c) => c.Name === TRANSFER_DUPLICATE)!;
      const files = sims.zoho.store.attachmentsOf('Contacts', contact.id);
      expect(files[0]!.size).toBe(TRANSFER_MAX_BYTES);
      const seeded = new Set((await wdNodes(sims)).map((n) => n.id));
      // WorkDrive holds the first upload before reading its body: the worker dies with the bytes in flight.
      const held = await fetch(`${sims.urls.workdrive}/__admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'latency',
          latencyMs: 5_000,
          method: 'POST',
          pathPrefix: '/workdrive/api/v1/upload',
          times: 1,
        }),
      });
      expect(held.ok).toBe(true);

      const first = await startWorker();
      const handle = await client.workflow.start('workdriveTransfer', {
        taskQueue: env.TEMPORAL_TASK_QUEUE!,
        workflowId: `workdrive-transfer:${jobId}`,
        args: [{ jobId, recordId: contact.id }],
      });
      await vi.waitFor(async () => expect(await faultsLeft()).toEqual([]), { timeout: 60_000, interval: 50 });
      first.process.kill('SIGKILL');
      await first.exited;

      await startWorker();
      const counts = (await handle.result()) as TransferCounts;
      expect(counts).toMatchObject({ records: 1, done: 1, filesFailed: 0 });
      expect(counts.filesUploaded + counts.filesRenamed).toBe(files.length);

      const added = (await wdNodes(sims)).filter((n) => n.kind === 'file' && !seeded.has(n.id));
      expect(added.map((n) => [unstamped(n.name), n.size]).sort()).toEqual(
        files.map((f) => [f.fileName, f.size]).sort(),
      );
      const ledger = await db.orm.em.fork().find(WorkdriveTransfer, { jobId, recordId: contact.id });
      expect(ledger.map((l) => l.state)).toEqual(files.map(() => 'uploaded'));
      expect(new Set(ledger.map((l) => l.resourceId))).toEqual(new Set(added.map((n) => n.id)));
      expect(sims.zoho.store.records.get('Contacts')!.get(contact.id)).toMatchObject({ Transfer_Complete: true });
    },
  );
});
