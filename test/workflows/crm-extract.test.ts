import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionsRepository } from '../../db/repositories/connections.repository.js';
import { DealAggregationsRepository } from '../../db/repositories/deal-aggregations.repository.js';
import { pgQuery } from '../../db/repositories/lead-rows.js';
import type { CrmExtractInput, CrmExtractResult } from '../../workflows/extract-definitions.js';
import { crmExtract } from '../../workflows/index.js';
import { pgTokenStore, zohoCrm, zohoTokens } from '../helpers/connectors.js';
import { zohoConnection } from '../helpers/connections.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

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
