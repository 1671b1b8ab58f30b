import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { LeadsRepository } from '../../db/repositories/leads.repository.js';
import { leadSyncOptions } from '../../domain/lead-policy.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';
import { runCli } from '../helpers/cli.js';
import { hubspotConnection, simSecrets, zohoConnection } from '../helpers/connections.js';
import { pgTokenStore } from '../helpers/connectors.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { startTestSimulators } from '../helpers/simulators.js';
import { startTestTemporal, type TestTemporal } from '../helpers/temporal.js';

let db: TestDb;
let sims: RunningSimulators;
let temporal: TestTemporal;
let env: Record<string, string>;
const dir = mkdtempSync(join(tmpdir(), 'crm-sync-cli-'));

beforeAll(async () => {
  db = await createTestDb();
  sims = await startTestSimulators();
  temporal = await startTestTemporal({
    orm: db.orm,
    connectors: new DbConnectorRegistry(db.orm, pgTokenStore(db.orm), simSecrets),
  });
  env = {
    DATABASE_URL: db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: temporal.settings.taskQueue,
  };
});
afterAll(async () => {
  await temporal?.close();
  await sims?.close();
  await db?.close();
});

describe('crm-sync CLI', () => {
  it('prints usage and exits 2 on an unknown command or flag', async () => {
    const unknown = await runCli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Usage: crm-sync');
    const flag = await runCli(['connections', 'list', '--bogus'], env);
    expect(flag.code).toBe(2);
    expect((await runCli(['help'], env)).code).toBe(0);
  });

  it('exits 2 listing every problem of an invalid connections file', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({
        connections: [
          { id: 'Bad Id', provider: 'hubspot', credentials: { accessToken: { env: 'lower-case' } } },
          { id: 'z', provider: 'zoho-crm', region: 'mars', credentials: {} },
        ],
      }),
    );
    const res = await runCli(['connections', 'apply', '--file', file], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('connections.0.id');
    expect(res.stderr).toContain('connections.0.credentials.accessToken.env');
    expect(res.stderr).toContain('connections.1.region');
    expect(res.stderr).toContain('connections.1.credentials.clientId');
    expect(await new ConnectionsRepository(db.orm.em.fork()).list()).toEqual([]);
  });

  it('exits 2 on a missing file or invalid JSON, and on an invalid environment', async () => {
    expect((await runCli(['connections', 'apply', '--file', join(dir, 'nope.json')], env)).code).toBe(2);
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ not json');
    const broken = await runCli(['connections', 'apply', '--file', file], env);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('not valid JSON');
    const badEnv = await runCli(['connections', 'list'], {
      ...env,
      DATABASE_URL: 'mysql://x',
      TEMPORAL_ADDRESS: 'nohostport',
    });
    expect(badEnv.code).toBe(2);
    expect(badEnv.stderr).toContain('DATABASE_URL');
    expect(badEnv.stderr).toContain('TEMPORAL_ADDRESS');
  });

  it('applies a connections file idempotently and lists connections without secrets', async () => {
    const file = join(dir, 'good.json');
    const hs = hubspotConnection(sims, { id: 'cli-hubspot' });
    const zo = zohoConnection(sims, { id: 'cli-zoho' });
    writeFileSync(file, JSON.stringify({ connections: [hs, zo] }));
    const first = await runCli(['connections', 'apply', '--file', file], env);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('2 created');
    const second = await runCli(['connections', 'apply', '--file', file], env);
    expect(second.stdout).toContain('0 created');
    expect(second.stdout).toContain('2 updated');
    const list = await runCli(['connections', 'list', '--json'], env);
    expect(JSON.parse(list.stdout).map((c: { id: string }) => c.id)).toEqual(['cli-hubspot', 'cli-zoho']);
    for (const s of Object.values(simSecrets)) expect(list.stdout).not.toContain(s);
  });

  it('checks every connection, waits for the workflows and exits 0', async () => {
    await temporal.workers.syncConnectionWorkers();
    const res = await runCli(['connections', 'check', '--all'], env);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/cli-hubspot: completed/);
    expect(res.stdout).toMatch(/cli-zoho: completed/);
  });

  it('exits 1 when a check fails, 2 for an unknown connection', async () => {
    await new ConnectionsRepository(db.orm.em.fork()).apply([
      hubspotConnection(sims, { id: 'cli-bad', tokenEnv: 'WRONG_HUBSPOT_TOKEN' }),
    ]);
    await temporal.workers.syncConnectionWorkers();
    const bad = await runCli(['connections', 'check', 'cli-bad'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('cli-bad: failed');
    expect((await runCli(['connections', 'check', 'no-such'], env)).code).toBe(2);
  });

  it('lists and shows syncs', async () => {
    const list = await runCli(['syncs', 'list', '--connection', 'cli-hubspot', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).items[0]).toMatchObject({ connectionId: 'cli-hubspot', status: 'completed' });
    const show = await runCli(['syncs', 'show', 'connection-check:cli-hubspot', '--json'], env);
    expect(JSON.parse(show.stdout)).toMatchObject({ status: 'completed', kind: 'connection-check' });
    expect((await runCli(['syncs', 'list', '--status', 'weird'], env)).code).toBe(2);
  });

  it('sync files: bad usage exits 2 with the usage text', async () => {
    // Each rule is a table test in sync-args.test.ts; here two of them go through the real entry point.
    for (const args of [
      ['sync', 'files'],
      ['sync', 'files', '--provider', 'salesforce'],
    ]) {
      const res = await runCli(args, env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('Usage: crm-sync');
    }
  });

  it('sync files runs the workflow, prints a summary table and exits 0; a failing sync exits 1', async () => {
    const res = await runCli(['sync', 'files', '--connection', 'cli-hubspot', '--full'], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/connection\s+status\s+deals\s+created/);
    expect(res.stdout).toMatch(/cli-hubspot\s+completed\s+4\s+\d+/);
    const all = await runCli(['sync', 'files', '--provider', 'zoho', '--dry-run'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('cli-zoho');
    expect(all.stdout).not.toContain('cli-hubspot ');
    const bad = await runCli(['sync', 'files', '--connection', 'cli-bad'], env);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('failed');
  });

  it('connections setup is an alias of apply', async () => {
    const file = join(dir, 'setup.json');
    writeFileSync(file, JSON.stringify({ connections: [hubspotConnection(sims, { id: 'cli-hubspot' })] }));
    const res = await runCli(['connections', 'setup', '--file', file], env);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('1 updated');
  });

  it('leads: bad usage exits 2 with the usage text', async () => {
    // Each rule is a table test in leads-args.test.ts; here two of them go through the real entry point.
    for (const args of [['leads'], ['leads', 'resolve', '1', 'phone', '--take', 'maybe']]) {
      const res = await runCli(args, env);
      expect(res.code, args.join(' ')).toBe(2);
      expect(res.stderr).toContain('Usage: crm-sync');
    }
    const wrong = await runCli(['leads', 'pull', '--connection', 'cli-hubspot'], env);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('zoho-crm only');
  });

  // Six CLI processes, each starting Node and tsx: past the default timeout on a loaded 2-core machine.
  it('leads pull, conflicts, resolve and push work end to end', { timeout: 90_000 }, async () => {
    const pulled = await runCli(['leads', 'pull'], env);
    expect(pulled.code).toBe(0);
    expect(pulled.stdout).toMatch(/status\s+received\s+created/);
    expect(pulled.stdout).toMatch(/completed\s+25\s+25/);
    await new ConnectionsRepository(db.orm.em.fork()).apply([
      { ...zohoConnection(sims, { id: 'cli-zoho' }), options: { leadSync: { defaultPolicy: 'manual' } } } as never,
    ]);
    const leads = new LeadsRepository(db.orm.em.fork());
    const [lead] = (await leads.list({ connectionId: 'cli-zoho' }, 1)).items;
    await leads.update(lead!.id, { status: 'Ours' }, leadSyncOptions({ defaultPolicy: 'manual' }));
    await fetch(`${sims.urls.zohoCrm}/__admin/records/Leads/${lead!.zoho_id}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: { Lead_Status: 'Theirs' } }),
    });
    expect((await runCli(['leads', 'pull', '--connection', 'cli-zoho'], env)).stdout).toMatch(
      /completed\s+\d+\s+0\s+0\s+0\s+1/,
    );
    const conflicts = await runCli(['leads', 'conflicts'], env);
    expect(conflicts.code).toBe(0);
    expect(conflicts.stdout).toMatch(new RegExp(`${lead!.id}\\s+status\\s+Ours\\s+Theirs`));
    const resolved = await runCli(
      ['leads', 'resolve', String(lead!.id), 'status', '--take', 'value', '--value', 'Agreed'],
      env,
    );
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toContain(`lead ${lead!.id}: status = Agreed (pending)`);
    const pushed = await runCli(['leads', 'push', '--id', String(lead!.id)], env);
    expect(pushed.code).toBe(0);
    expect(pushed.stdout).toMatch(/completed/);
    const zoho = (await (await fetch(`${sims.urls.zohoCrm}/__admin/records/Leads`)).json()) as {
      records: Array<{ id: string; Lead_Status: string }>;
    };
    expect(zoho.records.find((r) => r.id === lead!.zoho_id)?.Lead_Status).toBe('Agreed');
    expect((await runCli(['leads', 'resolve', String(lead!.id), 'status', '--take', 'crm'], env)).code).toBe(2);
  });
});
