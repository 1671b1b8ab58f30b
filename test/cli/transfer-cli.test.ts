import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { WorkdriveTransferJobSchema } from '../../config/jobs.js';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { TRANSFER_NO_FOLDER } from '../../simulators/zoho/crm-seed-transfer.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { SchedulesService, transferScheduleOf } from '../../services/schedules.service.js';
import { auth, testApp } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { simSecrets } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';
import { transferJob } from '../helpers/transfer.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let app: FastifyInstance;
let env: Record<string, string>;
const logDir = mkdtempSync(join(tmpdir(), 'crm-sync-transfer-logs-'));
let jobId: string;

const transferContacts = () =>
  [...sims.zoho.store.records.get('Contacts')!.values()].filter(
    (c) => typeof (c as Record<string, unknown>).Transfer_Complete === 'boolean',
  ) as Array<Record<string, unknown> & { id: string }>;
const withFiles = () =>
  transferContacts().filter(
    (c) => c.Transfer_Complete === false && sims.zoho.store.attachmentsOf('Contacts', c.id).length > 0,
  );

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
  app = await testApp(db, temporal);
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: temporal.settings.taskQueue,
    LOG_DIR: logDir,
  };
});
afterAll(async () => {
  await app?.close();
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

describe('crm-sync transfer workdrive', () => {
  it('--dry-run prints what each record would get, writes nothing, and exits 1 because a record has no folder', async () => {
    const res = await runCli(['transfer', 'workdrive', '--dry-run'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('(dry run)');
    expect(res.stdout).toMatch(new RegExp(`"${TRANSFER_NO_FOLDER}": no folder; skipped`));
    expect(res.stdout).toMatch(/→ .+: planned/);
    expect(res.stdout).toMatch(/: folder ".+" \(\w+\); org B fields planned; planned/);
    expect(res.stdout).toMatch(/summary: completed; records 20, succeeded 19, skipped 1/);
    expect(transferContacts().every((c) => c.Transfer_Complete === false)).toBe(true);
  });

  it('--record-id transfers that record only and exits 0; the log file holds its lines and no secret', async () => {
    const target = withFiles()[0]!;
    const res = await runCli(['transfer', 'workdrive', '--record-id', target.id, '--job', jobId], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`record ${target.id} "${String(target.Name)}"`);
    expect(res.stdout).toMatch(/summary: completed; records 1, succeeded 1/);
    expect(sims.zoho.store.records.get('Contacts')!.get(target.id)).toMatchObject({ Transfer_Complete: true });
    const logs = readdirSync(logDir);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^migration_\d{8}\.log$/);
    const text = readFileSync(join(logDir, logs[0]!), 'utf8');
    expect(text).toContain(`record ${target.id}`);
    expect(text).toMatch(/summary: completed; records 1/);
    for (const secret of Object.values(simSecrets)) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/1000\.[0-9a-f]{32}/); // no Zoho access or refresh token shape
  });

  it('--limit takes the first N records; --json prints the totals', async () => {
    // The first two unticked records of the seed both have a folder (the one without comes later).
    const firstTwo = transferContacts()
      .filter((c) => c.Transfer_Complete === false)
      .slice(0, 2);
    expect(firstTwo.map((c) => c.Name)).not.toContain(TRANSFER_NO_FOLDER);
    const res = await runCli(['transfer', 'workdrive', '--limit', '2', '--json'], env);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout) as { status: string; totals: unknown; records: Array<{ recordId: string }> };
    expect(out).toMatchObject({ status: 'completed', totals: { records: 2, succeeded: 2 } });
    expect(out.records.map((r) => r.recordId)).toEqual(firstTwo.map((c) => c.id));
  });

  it('bad usage and an unknown job exit 2', async () => {
    const usage = await runCli(['transfer', 'workdrive', '--limit', 'ten'], env);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--limit must be a whole number');
    expect(usage.stderr).toContain('Usage: crm-sync');
    const unknown = await runCli(['transfer', 'workdrive', '--job', 'no-such-job'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('workdrive-transfer job "no-such-job" not found');
  });
});

describe('/transfers', () => {
  it('POST /transfers/workdrive starts the run (202); GET /transfers/:id shows each record; GET /transfers lists it', async () => {
    const started = await app.inject({
      method: 'POST',
      url: '/transfers/workdrive',
      headers: auth,
      payload: { jobId },
    });
    expect(started.statusCode).toBe(202);
    const { workflowId, statusUrl } = started.json();
    expect(workflowId).toBe(`workdrive-transfer:${jobId}`);
    const view = await vi.waitFor(
      async () => {
        const res = await app.inject({ url: statusUrl, headers: auth });
        expect(res.statusCode).toBe(200);
        const body = res.json();
        expect(body.status).toBe('completed');
        return body;
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(view.records.length).toBeGreaterThan(0);
    const skipped = view.records.find((r: { name: string }) => r.name === TRANSFER_NO_FOLDER);
    expect(skipped).toMatchObject({ state: 'skipped', folder: null, checkboxSet: false, files: [] });
    const done = view.records.filter((r: { state: string }) => r.state === 'done');
    expect(done.length).toBe(view.records.length - 1);
    for (const r of done) {
      expect(r.folder).toMatchObject({ id: expect.any(String), name: expect.any(String) });
      expect(r.destination).toMatch(/^(written|unchanged)$/);
      for (const f of r.files) expect(f.outcome).toMatch(/^(uploaded|renamed|already-there)$/);
      expect(r.checkboxSet).toBe(r.files.some((f: { outcome: string }) => f.outcome !== 'already-there'));
    }
    const list = await app.inject({ url: '/transfers', headers: auth });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((i: { workflowId: string }) => i.workflowId)).toContain(workflowId);
  });

  it('answers bad input with 400 and an unknown transfer with 404', async () => {
    const bad = await app.inject({
      method: 'POST',
      url: '/transfers/workdrive',
      headers: auth,
      payload: { jobId, limit: 0 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('limit');
    const unknownJob = await app.inject({
      method: 'POST',
      url: '/transfers/workdrive',
      headers: auth,
      payload: { jobId: 'no-such-job' },
    });
    expect(unknownJob.statusCode).toBe(404);
    expect((await app.inject({ url: '/transfers/file-sync:x', headers: auth })).statusCode).toBe(404);
    expect((await app.inject({ url: '/transfers/workdrive-transfer:nope', headers: auth })).statusCode).toBe(404);
  });
});

describe('the daily transfer schedule', () => {
  it('is created paused, daily at the job time in its zone; triggered, it runs the job under its own id', async () => {
    const job = WorkdriveTransferJobSchema.parse({
      id: jobId,
      kind: 'workdrive-transfer',
      source: 'x',
      destinationCrm: 'y',
      workdrive: 'z',
      teamFolderId: 'abc',
      timeZone: 'Europe/Berlin',
      dailyAt: '02:30',
    });
    const schedules = new SchedulesService(temporal.settings, () => db.orm.em.fork());
    const { created, view } = await schedules.ensure(transferScheduleOf(job));
    expect(created).toBe(true);
    expect(view).toMatchObject({
      kind: 'workdrive-transfer',
      paused: true,
      cron: '30 2 * * *',
      timezone: 'Europe/Berlin',
    });
    for (const run of view.nextRuns) {
      const hm = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' });
      expect(hm.format(new Date(run))).toBe('02:30');
    }
    // A second ensure (the next npm start) keeps it as it is.
    expect((await schedules.ensure(transferScheduleOf(job))).created).toBe(false);
    const before = Date.now();
    const trigger = await app.inject({ method: 'POST', url: `/schedules/${view.id}/trigger`, headers: auth });
    expect(trigger.statusCode).toBe(200);
    const run = await vi.waitFor(
      async () => {
        const res = await app.inject({
          url: `/transfers/${encodeURIComponent(`workdrive-transfer:${jobId}`)}`,
          headers: auth,
        });
        const body = res.json();
        expect(body.status).toBe('completed');
        // This run, not the one an earlier test started under the same id.
        expect(Date.parse(body.startedAt)).toBeGreaterThanOrEqual(before - 1000);
        return body;
      },
      { timeout: 60_000, interval: 250 },
    );
    expect(run.kind).toBe('workdrive-transfer');
    const missing = await app.inject({
      method: 'POST',
      url: '/schedules',
      headers: auth,
      payload: { id: 'wd-no-job', kind: 'workdrive-transfer', cron: '0 2 * * *', options: { jobId: 'no-such-job' } },
    });
    expect(missing.statusCode).toBe(404);
  });
});
