import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { DealAggregationsRepository } from '../../db/repositories/deal-aggregations.repository.js';
import { pgQuery } from '../../db/repositories/lead-rows.js';
import type { CrmExtractInput, CrmExtractResult } from '../../workflows/extract-definitions.js';
import { crmExtract } from '../../workflows/index.js';
import { pgTokenStore, zohoCrm, zohoTokens } from '../helpers/connectors.js';
import { zohoConnection } from '../helpers/connections.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import { RecordsService } from '../../services/records.service.js';
import { SyncsService } from '../../services/syncs.service.js';
import type { RecordsUpdateResult } from '../../workflows/extract-definitions.js';

let stack: TestStack;
const TZ = 'America/New_York';

beforeAll(async () => {
  stack = await startTestStack();
  // Aggregates cut in New York time: a deal created at 02:00 UTC belongs to the day before.
  await new ConnectionsRepository(stack.db.orm.em.fork()).apply([
    { ...zohoConnection(stack.sims, { id: stack.zohoId }), options: { extract: { timeZone: TZ } } } as never,
  ]);
});
afterAll(async () => {
  await stack?.close();
});

const extract = (input: CrmExtractInput): Promise<CrmExtractResult> =>
  stack.temporal.client.workflow.execute(crmExtract, {
    taskQueue: stack.temporal.settings.taskQueue,
    workflowId: `crm-extract:${input.connectionId}`,
    args: [input],
  });
const sql = <T>(text: string, params: unknown[] = []) => pgQuery<T>(stack.db.orm.em.fork(), text, params);
const zohoRecords = async (module: string) =>
  (
    (await (await fetch(`${stack.sims.urls.zohoCrm}/__admin/records/${module}`)).json()) as {
      records: Array<Record<string, unknown> & { id: string }>;
    }
  ).records;
const crm = () => zohoCrm(zohoTokens(stack.sims, pgTokenStore(stack.db.orm)));

interface AggRow {
  account: string;
  type: string;
  period: string;
  total: number;
  n: number;
}

/** The test's own group-by over the deals the extract kept: local dates by Intl, weeks from Monday. */
function expectedAggregates(
  deals: Array<{ account: string | null; amount: number | null; created: string | Date | null }>,
  tz: string,
): AggRow[] {
  const localDate = (d: Date) => {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' })
        .formatToParts(d)
        .map((p) => [p.type, p.value]),
    );
    return `${parts.year}-${parts.month}-${parts.day}`;
  };
  const periodOf = (day: string, type: string) => {
    if (type === 'daily') return day;
    if (type === 'monthly') return `${day.slice(0, 8)}01`;
    const d = new Date(`${day}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d.toISOString().slice(0, 10);
  };
  const groups = new Map<string, AggRow>();
  for (const deal of deals) {
    if (!deal.account || deal.amount === null || !deal.created) continue;
    for (const type of ['daily', 'weekly', 'monthly']) {
      const period = periodOf(localDate(new Date(deal.created)), type);
      const key = `${deal.account}|${type}|${period}`;
      const g = groups.get(key) ?? { account: deal.account, type, period, total: 0, n: 0 };
      g.total += Number(deal.amount);
      g.n += 1;
      groups.set(key, g);
    }
  }
  return [...groups.values()].sort((a, b) =>
    `${a.account}|${a.type}|${a.period}`.localeCompare(`${b.account}|${b.type}|${b.period}`),
  );
}

async function storedAggregates(connectionId: string): Promise<AggRow[]> {
  const rows = await sql<{ account: string; type: string; period: string; total: number; n: number }>(
    `select account_external_id as account, type, to_char(period_start, 'YYYY-MM-DD') as period, total_size as total,
            deal_count as n from deal_aggregations where connection_id = $1`,
    [connectionId],
  );
  return rows
    .map((r) => ({ ...r, total: Number(r.total), n: Number(r.n) }))
    .sort((a, b) => `${a.account}|${a.type}|${a.period}`.localeCompare(`${b.account}|${b.type}|${b.period}`));
}

async function keptDeals(connectionId: string) {
  return sql<{ account: string | null; amount: number | null; created: string | null }>(
    `select account_external_id as account, amount, crm_created_at as created from deals
      where connection_id = $1 and extracted_at is not null`,
    [connectionId],
  );
}

const round = (rows: AggRow[]) => rows.map((r) => ({ ...r, total: Math.round(r.total * 100) / 100 }));

describe('crmExtract on Zoho', () => {
  let first: CrmExtractResult;
  beforeAll(async () => {
    first = await extract({ connectionId: stack.zohoId, full: true });
  });

  it('keeps or rejects every Zoho record, each exactly once', async () => {
    for (const [domain, module, table, live] of [
      ['accounts', 'Accounts', 'accounts', 'deleted_at is null'],
      ['contacts', 'Contacts', 'contacts', 'deleted_at is null'],
      ['deals', 'Deals', 'deals', 'extracted_at is not null'],
    ] as const) {
      const ids = (await zohoRecords(module)).map((r) => r.id).sort();
      const kept = (
        await sql<{ id: string }>(`select external_id as id from ${table} where connection_id = $1 and ${live}`, [
          stack.zohoId,
        ])
      ).map((r) => r.id);
      const rejected = (
        await sql<{ id: string }>(
          `select external_id as id from extract_rejects where connection_id = $1 and domain = $2`,
          [stack.zohoId, domain],
        )
      ).map((r) => r.id);
      expect(new Set(kept).size).toBe(kept.length);
      expect([...kept, ...rejected].sort()).toEqual(ids);
      expect(first.perDomain[domain]).toMatchObject({ created: kept.length, rejected: rejected.length });
    }
  });

  it("stores each kept deal's values as Zoho holds them, its stage mapped", async () => {
    const zoho = new Map((await zohoRecords('Deals')).map((d) => [d.id, d]));
    const rows = await sql<{
      id: string;
      name: string;
      amount: number;
      stage: string;
      account: string | null;
      probability: number | null;
    }>(
      `select external_id as id, name, amount, normalized_stage as stage, account_external_id as account, probability
         from deals where connection_id = $1 and extracted_at is not null`,
      [stack.zohoId],
    );
    expect(rows.length).toBeGreaterThan(0);
    const stageOf: Record<string, string> = {
      Qualification: 'Prospecting',
      'Needs Analysis': 'Prospecting',
      'Value Proposition': 'Prospecting',
      'Id. Decision Makers': 'Prospecting',
      'Perception Analysis': 'Negotiation',
      'Proposal/Price Quote': 'Negotiation',
      'Negotiation/Review': 'Negotiation',
      'Closed Won': 'Closed-Won',
      'Closed Lost': 'Closed-Lost',
      'Closed Lost to Competition': 'Closed-Lost',
    };
    for (const r of rows) {
      const z = zoho.get(r.id)!;
      expect(r).toEqual({
        id: z.id,
        name: z.Deal_Name,
        amount: z.Amount,
        stage: stageOf[String(z.Stage)],
        account: (z.Account_Name as { id: string } | null)?.id ?? null,
        probability: z.Probability ?? null,
      });
    }
  });

  it('computes the aggregates a group-by over the kept deals gives, in the connection time zone', async () => {
    const stored = await storedAggregates(stack.zohoId);
    expect(stored.length).toBeGreaterThan(0);
    expect(round(stored)).toEqual(round(expectedAggregates(await keptDeals(stack.zohoId), TZ)));
  });

  it('rejects a deal without an amount or with an unmapped stage, with the field and the reason, and keeps the rest', async () => {
    const made = await crm().insertRecords('Deals', [
      { Deal_Name: 'No amount yet', Stage: 'Qualification' },
      { Deal_Name: 'Odd stage', Stage: 'On Hold', Amount: 10 },
    ]);
    expect(made.every((r) => r.ok)).toBe(true);
    const [noAmount, oddStage] = made.map((r) => (r.ok ? r.id : ''));
    const run = await extract({ connectionId: stack.zohoId, domains: ['deals'] });
    expect(run).toMatchObject({ created: 0, rejected: 2 });
    const rejects = await sql<{ id: string; code: string; field: string; message: string }>(
      `select external_id as id, code, field, message from extract_rejects
        where connection_id = $1 and domain = 'deals' and external_id = any($2::text[]) order by code`,
      [stack.zohoId, [noAmount, oddStage]],
    );
    expect(rejects).toEqual([
      { id: noAmount, code: 'MISSING_REQUIRED', field: 'size', message: 'size is required for deals and is empty' },
      {
        id: oddStage,
        code: 'UNKNOWN_ENUM',
        field: 'stage',
        message: expect.stringContaining(
          'stage "On Hold" maps to none of Prospecting, Negotiation, Closed-Won, Closed-Lost',
        ),
      },
    ]);
    // Fixed in Zoho, the deal is kept and leaves the rejects.
    expect((await crm().updateRecords('Deals', [{ id: noAmount!, Amount: 500 }]))[0]!.ok).toBe(true);
    expect(await extract({ connectionId: stack.zohoId, domains: ['deals'] })).toMatchObject({ created: 1 });
    const left = await sql<{ id: string }>(
      `select external_id as id from extract_rejects where connection_id = $1 and domain = 'deals'`,
      [stack.zohoId],
    );
    expect(left.map((r) => r.id)).toEqual([oddStage]);
    // Gone from Zoho, the rejected deal leaves the list too (an incremental run reads the deleted records).
    expect((await crm().deleteRecords('Deals', [oddStage!]))[0]!.ok).toBe(true);
    await extract({ connectionId: stack.zohoId, domains: ['deals'] });
    expect(
      await sql(`select 1 from extract_rejects where connection_id = $1 and domain = 'deals'`, [stack.zohoId]),
    ).toEqual([]);
  });

  it('changes nothing when run again', async () => {
    const again = await extract({ connectionId: stack.zohoId });
    expect(again).toMatchObject({ created: 0, updated: 0, withdrawn: 0, removed: 0 });
    expect(again.aggregates).toMatchObject({ written: 0, removed: 0 });
  });

  it('after deals are edited, added and deleted in Zoho, an incremental run leaves the aggregates a full recompute gives', async () => {
    const deals = (await zohoRecords('Deals')).filter((d) => d.Account_Name && typeof d.Amount === 'number');
    const accounts = await zohoRecords('Accounts');
    const [edited, moved, deleted] = deals;
    const client = crm();
    const results = [
      ...(await client.updateRecords('Deals', [
        { id: edited!.id, Amount: Number(edited!.Amount) + 1234 },
        {
          id: moved!.id,
          Account_Name: { id: accounts.find((a) => a.id !== (moved!.Account_Name as { id: string }).id)!.id },
        },
      ])),
      ...(await client.insertRecords('Deals', [
        {
          Deal_Name: 'Added by the extract test',
          Stage: 'Closed Won',
          Amount: 777,
          Account_Name: { id: accounts[0]!.id },
        },
      ])),
      ...(await client.deleteRecords('Deals', [deleted!.id])),
    ];
    expect(results.every((r) => r.ok)).toBe(true);

    const run = await extract({ connectionId: stack.zohoId });
    expect(run).toMatchObject({ created: 1, updated: 2, removed: 1 });
    expect(run.aggregates.periods).toBeGreaterThan(0);
    const incremental = await storedAggregates(stack.zohoId);
    expect(round(incremental)).toEqual(round(expectedAggregates(await keptDeals(stack.zohoId), TZ)));
    await new DealAggregationsRepository(stack.db.orm.em.fork()).recomputeAll(stack.zohoId, TZ);
    expect(round(await storedAggregates(stack.zohoId))).toEqual(round(incremental));
  });
});

describe('records update on Zoho', () => {
  const services = () => {
    const syncs = new SyncsService(stack.temporal.settings, () => stack.db.orm.em.fork());
    return { syncs, records: new RecordsService(syncs, () => stack.db.orm.em.fork()) };
  };
  const update = async (req: Parameters<RecordsService['start']>[0]) => {
    const { syncs, records } = services();
    const started = await records.start({ connectionId: stack.zohoId, ...req });
    const view = await syncs.wait(started.workflowId);
    expect(view.status).toBe('completed');
    return view.result as unknown as RecordsUpdateResult;
  };
  const ours = async (id: string) =>
    (
      await sql<{ amount: number; probability: number | null; stage: string }>(
        `select amount, probability, normalized_stage as stage from deals where connection_id = $1 and external_id = $2`,
        [stack.zohoId, id],
      )
    )[0]!;
  const zohoDeal = async (id: string) => (await zohoRecords('Deals')).find((d) => d.id === id);

  it("writes one deal's size to Zoho and to our row, and the aggregates follow", async () => {
    const [deal] = (await zohoRecords('Deals')).filter((d) => d.Account_Name);
    const result = await update({ domain: 'deals', key: 'deal_id', value: deal!.id, set: { deal_size: '24456' } });
    expect(result).toMatchObject({ matched: 1, updated: 1, failed: 0 });
    expect((await zohoDeal(deal!.id))!.Amount).toBe(24456);
    expect((await ours(deal!.id)).amount).toBe(24456);
    expect(round(await storedAggregates(stack.zohoId))).toEqual(
      round(expectedAggregates(await keptDeals(stack.zohoId), TZ)),
    );
    // What we wrote is what the next extract reads: nothing to change.
    expect(await extract({ connectionId: stack.zohoId })).toMatchObject({ created: 0, updated: 0 });
  });

  it('needs yes for several matches, shows them in a dry run, then writes them all', async () => {
    const { records } = services();
    const won = (
      await sql<{ id: string }>(
        `select external_id as id from deals where connection_id = $1 and extracted_at is not null and normalized_stage = 'Closed-Won'`,
        [stack.zohoId],
      )
    ).map((r) => r.id);
    expect(won.length).toBeGreaterThan(1);
    const req = {
      connectionId: stack.zohoId,
      domain: 'deals' as const,
      key: 'stage',
      value: 'closed won',
      set: { probability: 95 },
    };
    await expect(records.start(req)).rejects.toThrow(`${won.length} deals records match stage=Closed-Won`);
    const dry = await update({ ...req, dryRun: true });
    expect(dry).toMatchObject({ matched: won.length, dryRun: true });
    expect([...dry.sample!].sort()).toEqual([...won].sort());
    for (const id of won) expect((await zohoDeal(id))!.Probability).not.toBe(95);
    const done = await update({ ...req, yes: true });
    expect(done).toMatchObject({ matched: won.length, updated: won.length, failed: 0 });
    for (const id of won) {
      expect((await zohoDeal(id))!.Probability).toBe(95);
      expect((await ours(id)).probability).toBe(95);
    }
  });

  it('reports a record Zoho refuses and changes only the ones it accepted', async () => {
    const candidates = (
      await sql<{ id: string }>(
        `select external_id as id from deals where connection_id = $1 and extracted_at is not null and normalized_stage = 'Closed-Won'`,
        [stack.zohoId],
      )
    ).map((r) => r.id);
    const [gone, kept] = candidates;
    // Deleted in Zoho after our extract: our row still matches, Zoho refuses the id.
    expect((await fetch(`${stack.sims.urls.zohoCrm}/__admin/records/Deals/${gone}`, { method: 'DELETE' })).ok).toBe(
      true,
    );
    const result = await update({
      domain: 'deals',
      key: 'stage',
      value: 'Closed-Won',
      set: { probability: 55 },
      yes: true,
    });
    expect(result).toMatchObject({ matched: candidates.length, updated: candidates.length - 1, failed: 1 });
    expect((await ours(gone!)).probability).toBe(95);
    expect((await ours(kept!)).probability).toBe(55);
    const events = await sql<{ code: string; message: string }>(
      `select code, message from sync_events where connection_id = $1 and level = 'error' and message like $2`,
      [stack.zohoId, `%${gone}%`],
    );
    expect(events).toHaveLength(1);
    expect(events[0]!.code).toBe('INVALID_DATA');
  });

  it('answers bad values, unknown fields and no match before writing anything', async () => {
    const { records } = services();
    const base = { connectionId: stack.zohoId, domain: 'deals' as const, key: 'deal_id', value: '1' };
    await expect(records.start({ ...base, set: { deal_size: 'lots' } })).rejects.toThrow(
      'size: "lots" is not a number',
    );
    await expect(records.start({ ...base, set: { colour: 'red' } })).rejects.toThrow('unknown field "colour"');
    await expect(records.start({ ...base, value: 'no-such-deal', set: { deal_size: '1' } })).rejects.toThrow(
      'not found',
    );
  });
});

describe('crmExtract on HubSpot', () => {
  it("keeps HubSpot's deals with their pipeline stage mapped and their amounts, and a second run changes nothing", async () => {
    const first = await extract({ connectionId: stack.hubspotId, full: true });
    const deals = [...stack.sims.hubspot.store.objects.get('deals')!.values()].filter((d) => !d.archived);
    const stageOf: Record<string, string> = {
      appointmentscheduled: 'Prospecting',
      qualifiedtobuy: 'Prospecting',
      presentationscheduled: 'Prospecting',
      decisionmakerboughtin: 'Negotiation',
      contractsent: 'Negotiation',
      closedwon: 'Closed-Won',
      closedlost: 'Closed-Lost',
    };
    const rows = await sql<{ id: string; name: string; amount: number; stage: string }>(
      `select external_id as id, name, amount, normalized_stage as stage from deals
        where connection_id = $1 and extracted_at is not null order by external_id`,
      [stack.hubspotId],
    );
    expect(rows).toEqual(
      deals
        .map((d) => ({
          id: d.id,
          name: d.properties.dealname,
          amount: Number(d.properties.amount),
          stage: stageOf[String(d.properties.dealstage)],
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    );
    expect(first.perDomain.deals).toMatchObject({ created: deals.length, rejected: 0 });
    const again = await extract({ connectionId: stack.hubspotId });
    expect(again).toMatchObject({ created: 0, updated: 0, withdrawn: 0, removed: 0 });
  });
});
