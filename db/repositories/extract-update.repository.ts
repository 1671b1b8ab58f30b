import type { EntityManager } from '@mikro-orm/postgresql';
import type { CleanValue } from '../../domain/extract-fields.js';
import type { UpdatePlan } from '../../domain/extract-update.js';
import { EXTRACT_TABLES } from './extract-tables.js';
import { pgQuery } from './lead-rows.js';

/** The records an update matches (live rows of the connection, by key) and our copy of what the CRM accepted. */
export class ExtractUpdateRepository {
  constructor(private readonly em: EntityManager) {}

  private match(plan: UpdatePlan): { clause: string; type: string } {
    if (plan.key === 'id') return { clause: 'external_id', type: 'text' };
    const col = EXTRACT_TABLES[plan.domain].columns[plan.key]!;
    return { clause: col.column, type: col.type };
  }

  async count(connectionId: string, plan: UpdatePlan): Promise<number> {
    const t = EXTRACT_TABLES[plan.domain];
    const m = this.match(plan);
    const [row] = await pgQuery<{ n: string }>(
      this.em,
      `select count(*) as n from ${t.table} where connection_id = $1 and ${t.live} and ${m.clause} = $2::${m.type}`,
      [connectionId, plan.keyValue],
    );
    return Number(row?.n ?? 0);
  }

  /** The next matches after our row id `afterId`, by id (a retry resumes where the last batch ended). */
  async next(
    connectionId: string,
    plan: UpdatePlan,
    afterId: number,
    limit: number,
  ): Promise<Array<{ id: number; externalId: string }>> {
    const t = EXTRACT_TABLES[plan.domain];
    const m = this.match(plan);
    const rows = await pgQuery<{ id: string; external_id: string }>(
      this.em,
      `select id, external_id from ${t.table}
        where connection_id = $1 and ${t.live} and ${m.clause} = $2::${m.type} and id > $3 order by id limit $4`,
      [connectionId, plan.keyValue, afterId, limit],
    );
    return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id }));
  }

  /**
   * Writes the new values of the records the CRM accepted, with the CRM's modification time when it gave one; for
   * deals, the periods before and after are marked for the aggregates' recompute.
   */
  async applyAccepted(
    connectionId: string,
    plan: UpdatePlan,
    accepted: Array<{ externalId: string; modifiedTime?: string }>,
  ): Promise<void> {
    if (accepted.length === 0) return;
    const t = EXTRACT_TABLES[plan.domain];
    const fields = Object.keys(plan.set);
    const params: unknown[] = [connectionId, accepted.map((a) => a.externalId)];
    const sets = fields.map((f) => {
      params.push(plan.set[f] as CleanValue);
      return `${t.columns[f]!.column} = $${params.length}::${t.columns[f]!.type}`;
    });
    params.push(JSON.stringify(accepted.map((a) => ({ id: a.externalId, at: a.modifiedTime ?? null }))));
    const times = `$${params.length}::jsonb`;
    await this.em.transactional(async (em) => {
      const before =
        plan.domain === 'deals'
          ? await pgQuery<{ account: string | null; at: string | null }>(
              em,
              `select account_external_id as account, crm_created_at as at from deals
                where connection_id = $1 and external_id = any($2::text[]) for update`,
              [connectionId, params[1]],
            )
          : [];
      const after = await pgQuery<{ account?: string | null; at?: string | null }>(
        em,
        `update ${t.table} r set ${sets.join(', ')},
                ${t.modified} = coalesce((select (x->>'at')::timestamptz from jsonb_array_elements(${times}) x where x->>'id' = r.external_id), r.${t.modified}),
                updated_at = now()
          where connection_id = $1 and external_id = any($2::text[])
         returning ${plan.domain === 'deals' ? 'account_external_id as account, crm_created_at as at' : 'external_id'}`,
        params,
      );
      const dirty = [...before, ...after].filter((p) => p.account && p.at);
      if (dirty.length)
        await pgQuery(
          em,
          `insert into deal_aggregation_dirty (connection_id, account_external_id, at)
           select $2, x.account, x.at from jsonb_to_recordset($1::jsonb) as x(account text, at timestamptz)
           on conflict do nothing`,
          [JSON.stringify(dirty), connectionId],
        );
    });
  }
}
