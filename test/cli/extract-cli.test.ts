import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { exportColumns, ExtractQueryRepository } from '../../db/repositories/extract-query.repository.js';
import { pgQuery } from '../../db/repositories/lead-rows.js';
import { auth, testApp } from '../helpers/api.js';
import { runCli } from '../helpers/cli.js';
import { pgTokenStore, zohoCrm, zohoTokens } from '../helpers/connectors.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let app: FastifyInstance;
let env: Record<string, string>;
const out = mkdtempSync(join(tmpdir(), 'crm-sync-exports-'));
/** Commas, quotes, a line break and a leading `=`: what a naive CSV writer or a spreadsheet gets wrong. */
const NASTY = '=HYPERLINK("x"), "Quoted" & Co\nsecond line';

beforeAll(async () => {
  stack = await startTestStack();
  const crm = zohoCrm(zohoTokens(stack.sims, pgTokenStore(stack.db.orm)));
  const [made] = await crm.insertRecords('Accounts', [{ Account_Name: NASTY }]);
  expect(made?.ok).toBe(true);
  app = await testApp(stack.db, stack.temporal);
  env = {
    DATABASE_URL: stack.db.url,
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_TASK_QUEUE: stack.temporal.settings.taskQueue,
  };
}, 60_000);
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

const rows = async (domain: 'accounts' | 'contacts' | 'deals') => {
  const all: Array<Record<string, unknown>> = [];
  for await (const batch of new ExtractQueryRepository(stack.db.orm.em.fork()).exportBatches(domain, {
    connectionId: stack.zohoId,
  }))
    all.push(...batch);
  return all;
};
/** CSV cells are text: numbers as written, empty for null, formulas with their `'`. */
const asCsv = (r: Record<string, unknown>) =>
  Object.fromEntries(
    Object.entries(r).map(([k, v]) => [
      k,
      v === null ? '' : typeof v === 'string' && /^[=+\-@]/.test(v) ? `'${v}` : String(v),
    ]),
  );

describe('crm-sync extract', () => {
  it('runs the extract and writes every domain as CSV, JSON and NDJSON that parse back to the table', async () => {
    const res = await runCli(
      ['extract', '--connection', stack.zohoId, '--full', '--out', out, '--format', 'csv,json,ndjson', '--bom'],
      env,
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`${stack.zohoId}\\s+completed`));
    for (const domain of ['accounts', 'contacts', 'deals'] as const) {
      const table = await rows(domain);
      expect(table.length).toBeGreaterThan(0);
      const csv = parse(readFileSync(join(out, `${domain}.csv`)), { columns: true, bom: true });
      expect(csv).toEqual(table.map(asCsv));
      expect(Object.keys(csv[0] as object)).toEqual(exportColumns(domain));
      expect(JSON.parse(readFileSync(join(out, `${domain}.json`), 'utf8'))).toEqual(table);
      const nd = readFileSync(join(out, `${domain}.ndjson`), 'utf8')
        .trimEnd()
        .split('\n');
      expect(nd.map((l) => JSON.parse(l))).toEqual(table);
      expect(res.stderr).toContain(`wrote ${join(out, `${domain}.csv`)} (${table.length} rows)`);
    }
    const csv = parse(readFileSync(join(out, 'accounts.csv')), { columns: true, bom: true }) as Array<{ name: string }>;
    expect(csv.map((r) => r.name)).toContain(`'${NASTY}`);
  });

  it('bad usage exits 2 with the usage', async () => {
    for (const [args, message] of [
      [['extract'], 'extract needs exactly one of --connection ID, --all'],
      [['extract', '--all', '--domains', 'leads'], '--domains takes accounts, contacts, deals; not "leads"'],
      [['extract', '--all', '--format', 'xml'], '--format takes csv, json, ndjson; not "xml"'],
    ] as const) {
      const res = await runCli([...args], env);
      expect(res.code).toBe(2);
      expect(res.stderr).toContain(message);
      expect(res.stderr).toContain('Usage: crm-sync');
    }
  });
});

describe('crm-sync records update', () => {
  const update = (...args: string[]) => runCli(['records', 'update', '--connection', stack.zohoId, ...args], env);
  const deal = async () =>
    (
      await pgQuery<{ id: string; amount: number }>(
        stack.db.orm.em.fork(),
        `select external_id as id, amount from deals where connection_id = $1 and extracted_at is not null order by external_id limit 1`,
        [stack.zohoId],
      )
    )[0]!;

  it("takes the toolkit's form and writes the deal (exit 0)", async () => {
    const { id } = await deal();
    const res = await update(
      '--domain',
      'deals',
      '--key',
      'deal_id',
      '--value',
      id,
      '--key-to-update',
      'deal_size',
      '--update-value',
      '24456',
    );
    expect(res.stderr).not.toContain('crm-sync:');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`set size = 24456 on deals with deal_id = ${id}`);
    expect(stack.sims.zoho.store.records.get('Deals')!.get(id)).toMatchObject({ Amount: 24456 });
    expect((await deal()).amount).toBe(24456);
  });

  it('exits 2 for a bad value or an unknown field, 1 when nothing matches, 2 for several matches without --yes', async () => {
    const { id } = await deal();
    const bad = await update('--domain', 'deals', '--key', 'deal_id', '--value', id, '--set', 'deal_size=lots');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('size: "lots" is not a number');
    const unknown = await update('--domain', 'deals', '--key', 'deal_id', '--value', id, '--set', 'colour=red');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown field "colour" for deals; fields that can be set:');
    const none = await update('--domain', 'deals', '--key', 'deal_id', '--value', 'nope', '--set', 'deal_size=1');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no deals with deal_id = nope');
    const won = await pgQuery<{ n: string }>(
      stack.db.orm.em.fork(),
      `select count(*) as n from deals where connection_id = $1 and extracted_at is not null and normalized_stage = 'Closed-Won'`,
      [stack.zohoId],
    );
    expect(Number(won[0]!.n)).toBeGreaterThan(1);
    const several = await update(
      '--domain',
      'deals',
      '--key',
      'stage',
      '--value',
      'closed won',
      '--set',
      'probability=80',
    );
    expect(several.code).toBe(2);
    expect(several.stderr).toContain(`${won[0]!.n} deals with stage = Closed-Won would change; add --yes`);
  });
});

describe('extract API', () => {
  const get = (url: string) => app.inject({ method: 'GET', url, headers: auth });

  it('streams an export the same as the CLI wrote it, and refuses an unknown file', async () => {
    const csv = await get(`/exports/accounts.csv?connectionId=${stack.zohoId}&bom=true`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toBe(readFileSync(join(out, 'accounts.csv'), 'utf8'));
    expect((await get('/exports/leads.csv')).statusCode).toBe(400);
    expect((await get('/exports/deals.xml')).statusCode).toBe(400);
  });

  it('lists accounts, contacts and deals with their filters and keyset pages', async () => {
    const all = await rows('accounts');
    const seen: string[] = [];
    for (let cursor: string | null = null, pages = 0; pages < 50; pages++) {
      const res = await get(`/accounts?connectionId=${stack.zohoId}&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { items: Array<{ account_id: string }>; nextCursor: string | null };
      seen.push(...body.items.map((i) => i.account_id));
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(all.map((r) => r.account_id));
    const found = await get(`/accounts?q=${encodeURIComponent('"quoted"')}`);
    expect((found.json() as { items: Array<{ name: string }> }).items.map((i) => i.name)).toEqual([NASTY]);
    expect((await get('/contacts?leadSource=Website')).statusCode).toBe(200);
    expect((await get('/contacts?leadSource=Billboard')).statusCode).toBe(400);
    const won = await get(`/deals?stage=Closed-Won&connectionId=${stack.zohoId}`);
    const items = (won.json() as { items: Array<{ extractStage: string; extracted: boolean }> }).items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((d) => d.extractStage === 'Closed-Won' && d.extracted)).toBe(true);
    expect((await get('/accounts?cursor=not-ours')).statusCode).toBe(400);
  });

  it('reports the deal aggregations by type and refuses a bad range', async () => {
    const monthly = await get(`/reports/deal-aggregations?type=monthly&connectionId=${stack.zohoId}`);
    expect(monthly.statusCode).toBe(200);
    const body = monthly.json() as { items: Array<{ periodStart: string; totalSize: number; dealCount: number }> };
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.every((i) => i.periodStart.endsWith('-01') && i.dealCount > 0)).toBe(true);
    expect((await get('/reports/deal-aggregations?type=yearly')).statusCode).toBe(400);
    expect((await get('/reports/deal-aggregations?type=daily&from=2026-02-01&to=2026-01-01')).statusCode).toBe(400);
  });

  it('draws the monthly totals as an SVG chart with vega-lite', async () => {
    const res = await get(`/reports/deal-aggregations/chart.svg?type=monthly&connectionId=${stack.zohoId}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(res.body.startsWith('<svg')).toBe(true);
    expect(res.body).toContain(`Deal totals, monthly, all accounts (${stack.zohoId})`);
    expect(res.body).toContain('total deal size');
    // One point symbol per month that has deals.
    const months = new Set(
      (
        await pgQuery<{ p: string }>(
          stack.db.orm.em.fork(),
          `select distinct period_start::text as p from deal_aggregations where connection_id = $1 and type = 'monthly'`,
          [stack.zohoId],
        )
      ).map((r) => r.p),
    );
    expect(months.size).toBeGreaterThan(0);
    const symbols = /<g class="mark-symbol role-mark[^>]*>(.*?)<\/g>/.exec(res.body)?.[1] ?? '';
    expect(symbols.match(/<path/g)?.length).toBe(months.size);
    expect((await get('/reports/deal-aggregations/chart.svg?type=yearly')).statusCode).toBe(400);
  });

  it('PATCH /records/:domain answers 400 for a bad value and 404 when nothing matches', async () => {
    const patch = (body: unknown) =>
      app.inject({ method: 'PATCH', url: '/records/deals', headers: auth, payload: body as object });
    const bad = await patch({ connectionId: stack.zohoId, key: 'deal_id', value: '1', set: { deal_size: 'lots' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ error: { message: 'size: "lots" is not a number' } });
    const none = await patch({ connectionId: stack.zohoId, key: 'deal_id', value: 'nope', set: { deal_size: 1 } });
    expect(none.statusCode).toBe(404);
  });
});
