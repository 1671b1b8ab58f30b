import type { EntityManager } from '@mikro-orm/postgresql';
import { AGGREGATION_TYPES, type AggregationType } from '../entities/index.js';
import { pgQuery } from './lead-rows.js';

const UNIT: Record<AggregationType, 'day' | 'week' | 'month'> = { daily: 'day', weekly: 'week', monthly: 'month' };

/** The deals the aggregates count: kept by the extract, with an account, a creation time and a size. */
const COUNTED = `d.extracted_at is not null and d.account_external_id is not null and d.crm_created_at is not null and d.amount is not null`;

export interface AggregateCounts {
  /** Periods written (inserted or changed). */
  written: number;
  /** Periods that no longer have deals. */
  removed: number;
}

/**
 * Deal totals per account and period, computed in SQL: one statement per type. Periods are cut with `date_trunc` in
 * the connection's time zone (weeks start on Monday, as date_trunc's ISO weeks do). An incremental recompute reads
 * only the (account, period) pairs that `deal_aggregation_dirty` points at, through the deals index on (connection,
 * account, creation time), so its cost follows the changed deals, not the table.
 */
export class DealAggregationsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Every period of the connection from scratch. */
  async recomputeAll(connectionId: string, timeZone: string): Promise<AggregateCounts> {
    const result = await this.em.transactional(async (em) => {
      const out: AggregateCounts = { written: 0, removed: 0 };
      for (const type of AGGREGATION_TYPES) {
        const [row] = await pgQuery<{ written: string; removed: string }>(
          em,
          `with fresh as (
             select d.account_external_id as account, date_trunc($3, d.crm_created_at at time zone $2)::date as period,
                    sum(d.amount) as total, count(*)::int as n
               from deals d where d.connection_id = $1 and ${COUNTED}
              group by 1, 2),
           gone as (
             delete from deal_aggregations g where g.connection_id = $1 and g.type = $4
                and not exists (select 1 from fresh f where f.account = g.account_external_id and f.period = g.period_start)
             returning 1),
           written as (${upsertFresh})
           select (select count(*) from written) as written, (select count(*) from gone) as removed`,
          [connectionId, timeZone, UNIT[type], type],
        );
        out.written += Number(row?.written ?? 0);
        out.removed += Number(row?.removed ?? 0);
      }
      await pgQuery(em, `delete from deal_aggregation_dirty where connection_id = $1`, [connectionId]);
      return out;
    });
    // A full recompute may have written millions of rows the planner has no statistics for yet; without them the
    // next incremental recompute joined its few periods against the whole table (10 s instead of a fraction of one).
    await pgQuery(this.em, 'analyze deal_aggregations', []);
    return result;
  }

  /** Only the periods deals changed in since the last recompute; the dirty rows it read are consumed. */
  async recomputeDirty(connectionId: string, timeZone: string): Promise<AggregateCounts & { periods: number }> {
    return this.em.transactional(async (em) => {
      const out = { written: 0, removed: 0, periods: 0 };
      // Only this connection's extract (one run at a time) marks these rows, and it runs this after its last batch.
      const [any] = await pgQuery(em, `select 1 from deal_aggregation_dirty where connection_id = $1 limit 1`, [
        connectionId,
      ]);
      if (!any) return out;
      for (const type of AGGREGATION_TYPES) {
        const [row] = await pgQuery<{ written: string; removed: string; periods: string }>(
          em,
          `with affected as (
             select distinct account_external_id as account, date_trunc($3, at at time zone $2) as local_start
               from deal_aggregation_dirty where connection_id = $1),
           ranges as (
             select account, local_start::date as period, local_start at time zone $2 as from_ts,
                    (local_start + ('1 ' || $3)::interval) at time zone $2 as to_ts
               from affected),
           fresh as (
             select r.account, r.period, sum(d.amount) as total, count(*)::int as n
               from ranges r join deals d on d.connection_id = $1 and d.account_external_id = r.account
                and d.crm_created_at >= r.from_ts and d.crm_created_at < r.to_ts
              where ${COUNTED}
              group by 1, 2),
           gone as (
             delete from deal_aggregations g using ranges r
              where g.connection_id = $1 and g.type = $4 and g.account_external_id = r.account and g.period_start = r.period
                and not exists (select 1 from fresh f where f.account = r.account and f.period = r.period)
             returning 1),
           written as (${upsertFresh})
           select (select count(*) from written) as written, (select count(*) from gone) as removed,
                  (select count(*) from ranges) as periods`,
          [connectionId, timeZone, UNIT[type], type],
        );
        out.written += Number(row?.written ?? 0);
        out.removed += Number(row?.removed ?? 0);
        out.periods += Number(row?.periods ?? 0);
      }
      await pgQuery(em, `delete from deal_aggregation_dirty where connection_id = $1`, [connectionId]);
      return out;
    });
  }
}

/** Writes `fresh` (account, period, total, n) as type $4, touching only periods whose figures changed. */
const upsertFresh = `insert into deal_aggregations as g (connection_id, account_external_id, type, period_start, total_size, deal_count, updated_at)
  select $1, f.account, $4, f.period, f.total, f.n, now() from fresh f
  on conflict (connection_id, account_external_id, type, period_start) do update
     set total_size = excluded.total_size, deal_count = excluded.deal_count, updated_at = now()
   where (g.total_size, g.deal_count) is distinct from (excluded.total_size, excluded.deal_count)
  returning 1`;
