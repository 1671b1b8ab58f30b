import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TransferRecord, WorkdriveTransfer } from '../../db/entities/index.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import {
  TRANSFER_DUPLICATE,
  TRANSFER_NO_FOLDER,
  TRANSFER_OTHER_CASE,
} from '../../simulators/zoho/crm-seed-transfer.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import type { TransferCounts } from '../../workflows/workdrive-transfer-definitions.js';
import { workdriveTransfer } from '../../workflows/index.js';
import { simSecrets } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';
import {
  expectSeedTransferred,
  transferJob,
  transferContacts as sharedTransferContacts,
  wdNodes as sharedWdNodes,
} from '../helpers/transfer.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let jobId: string;

const wdNodes = () => sharedWdNodes(sims);
const contactsB = () => [...sims.zohoB.store.records.get('Contacts')!.values()] as Array<Record<string, unknown>>;
const transferContacts = () => sharedTransferContacts(sims);
const byName = (name: string) => transferContacts().find((c) => c.Name === name)!;
const attachmentsOf = (id: string) => sims.zoho.store.attachmentsOf('Contacts', id);

async function transfer(opts: { dryRun?: boolean; recordId?: string; limit?: number } = {}) {
  return temporal.client.workflow.execute(workdriveTransfer, {
    taskQueue: temporal.settings.taskQueue,
    workflowId: `workdrive-transfer:${jobId}${opts.dryRun ? ':dry-run' : ''}`,
    args: [{ jobId, ...opts }],
  }) as Promise<TransferCounts>;
}
const recordsOf = async (recordIds: string[]) =>
  db.orm.em.fork().find(TransferRecord, { jobId, recordId: { $in: recordIds } }, { orderBy: { updatedAt: 'desc' } });

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  const setup = transferJob(sims);
  jobId = setup.job.id;
  await new ConnectionsRepository(db.orm.em.fork()).apply(setup.connections, [setup.job]);

  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
});
afterAll(async () => {
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

describe('WorkDrive transfer (workdriveTransfer)', () => {
  it('a dry run plans folders, fields and file names and writes nothing anywhere', async () => {
    const before = await wdNodes();
    const counts = await transfer({ dryRun: true });
    expect(counts).toMatchObject({ records: 20, skipped: 1, planned: 19, filesUploaded: 0, filesPlanned: 38 });
    expect(await wdNodes()).toEqual(before);
    expect(transferContacts().every((c) => c.Transfer_Complete === false)).toBe(true);
    expect(contactsB().every((c) => (c.WorkDrive_Folder_ID ?? null) === null)).toBe(true);
    expect(await db.orm.em.fork().count(WorkdriveTransfer, { jobId })).toBe(0);
  });

  it('copies every attachment of the default seed into the folder of its name, once, and ticks only where a file went up', async () => {
    const seeded = new Set((await wdNodes()).map((n) => n.id));
    const counts = await transfer();
    expect(counts).toMatchObject({ records: 20, skipped: 1, failed: 0, partial: 0, done: 19, filesFailed: 0 });
    // Names some seeded folders hold already are uploaded under a stamped name.
    expect(counts.filesUploaded + counts.filesRenamed).toBe(38);
    await expectSeedTransferred(sims, seeded);
    const folders = (await wdNodes()).filter((n) => n.kind === 'folder');
    expect(folders.filter((f) => f.name === TRANSFER_DUPLICATE)).toHaveLength(2);
    expect(byName(TRANSFER_OTHER_CASE).Transfer_Complete).toBe(true);
    const [noFolder] = await recordsOf([String(byName(TRANSFER_NO_FOLDER).id)]);
    expect(noFolder).toMatchObject({ state: 'skipped', reason: expect.stringContaining('no folder named') });
  });

  it('a second run uploads nothing and writes nothing', async () => {
    const nodes = await wdNodes();
    const stats = async () =>
      Promise.all(
        [sims.urls.zohoCrm, sims.urls.zohoBCrm].map(
          async (u) => ((await (await fetch(`${u}/__admin/stats`)).json()) as { writeCalls: number }).writeCalls,
        ),
      );
    const writesBefore = await stats();
    const counts = await transfer();
    // Records with files are ticked and not taken again; those without files are, and find nothing to do.
    expect(counts).toMatchObject({ records: 6, skipped: 1, done: 5, filesUploaded: 0, filesFailed: 0 });
    expect(await wdNodes()).toEqual(nodes);
    expect(await stats()).toEqual(writesBefore);
  });

  it('a name already in the folder uploads as name_YYYYMMDD_HHMMSS.ext; --record-id takes that record only', async () => {
    const contact = transferContacts().find(
      (c) => c.Transfer_Complete === true && attachmentsOf(String(c.id)).length >= 1,
    )!;
    const att = attachmentsOf(String(contact.id))[0]!;
    // A new attachment in org A whose name the folder already holds (with other bytes), then the record again.
    const clone = { ...att, id: sims.zoho.store.nextId(), size: att.size + 1, contentKey: `${att.contentKey}:2` };
    sims.zoho.store.attachments.set(clone.id, clone);
    const counts = await transfer({ recordId: String(contact.id) });
    expect(counts).toMatchObject({
      records: 1,
      done: 1,
      filesRenamed: 1,
      filesAlreadyThere: attachmentsOf(String(contact.id)).length - 1,
    });
    const dot = att.fileName.lastIndexOf('.');
    const stem = att.fileName.slice(0, dot);
    const ext = att.fileName.slice(dot);
    const renamed = (await wdNodes()).filter((n) => n.name.startsWith(`${stem}_`) && n.name.endsWith(ext));
    expect(renamed).toHaveLength(1);
    expect(renamed[0]!.name).toMatch(
      new RegExp(`^${stem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d{8}_\\d{6}\\${ext}$`),
    );
    expect(renamed[0]!.size).toBe(clone.size);
  });

  it('--limit takes the first N records that need transferring', async () => {
    const counts = await transfer({ limit: 2 });
    expect(counts.records).toBe(2);
  });
});
