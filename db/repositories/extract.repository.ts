import type { EntityManager } from '@mikro-orm/postgresql';
import type { CleanRecord, CleanValue, ExtractDomain, RejectedRecord } from '../../domain/extract-fields.js';
import { EXTRACT_TABLES } from './extract-tables.js';
import { pgQuery } from './lead-rows.js';
import { writeEachOnRefusal } from './record-refusals.js';

export interface ExtractBatchCounts {
  created: number;
  updated: number;
  unchanged: number;
  /** Older copies than the one we hold (pages overlap; a retry re-reads). */
  stale: number;
  rejected: number;
  /** Rows we had kept that a newer copy of the record now fails the rules: they leave exports and aggregates. */
  withdrawn: number;
}
export const zeroBatchCounts = (): ExtractBatchCounts => ({
  created: 0,
  updated: 0,
  unchanged: 0,
  stale: 0,
  rejected: 0,
  withdrawn: 0,
});

export const extractStream = (domain: ExtractDomain) => `extract:${domain}`;

type Existing = Record<string, unknown> & { external_id: string; modified: string | null; live: boolean };

/** Raw queries return timestamps as text (`2026-05-10 09:02:11+00`): compared as instants. */
const ms = (v: unknown): number | null => (v === null || v === undefined ? null : new Date(v as string).getTime());

function same(a: unknown, b: CleanValue, type: string): boolean {
  if (type === 'timestamptz') return ms(a) === ms(b);
  if (type === 'float8') return a === null || a === undefined ? b === null : Number(a) === b;
  return (a ?? null) === (b ?? null);
}

/**
 * The extract's writes. A batch of cleaned and rejected records commits in one transaction: kept records upserted on
 * (connection, CRM id) unless we hold a newer copy, every seen row stamped with the run, rejects recorded with their
 * reason (and cleared for records kept now), and for deals the periods whose aggregates the changes touch.
 */
export class ExtractRepository {
  constructor(private readonly em: EntityManager) {}

  async applyBatch(input: {
    connectionId: string;
    provider: string;
    domain: ExtractDomain;
    runId: string;
    kept: CleanRecord[];
    rejected: RejectedRecord[];
  }): Promise<ExtractBatchCounts> {
    const { connectionId, domain, runId } = input;
    const t = EXTRACT_TABLES[domain];
    const counts = zeroBatchCounts();
    return this.em.transactional(async (em) => {
      const ids = [...input.kept.map((r) => r.id), ...input.rejected.map((r) => r.id)];
      const extra = domain === 'deals' ? ', account_external_id as old_account, crm_created_at as old_created' : '';
      const rows = await pgQuery<Existing>(
        em,
        `select external_id, ${t.modified} as modified, (${t.live}) as live, ${Object.entries(t.columns)
          .map(([f, c]) => `${c.column} as "${f}"`)
          .join(', ')}${extra}
           from ${t.table} where connection_id = $1 and external_id = any($2::text[]) for update`,
        [connectionId, ids],
      );
      const byId = new Map(rows.map((r) => [r.external_id, r]));
      const writes: CleanRecord[] = [];
      const touched: string[] = [];
      for (const rec of input.kept) {
        const row = byId.get(rec.id);
        if (!row) {
          counts.created += 1;
          writes.push(rec);
          continue;
        }
        if (row.live && row.modified && ms(row.modified)! > rec.modifiedAt) counts.stale += 1;
        else if (
          row.live &&
          ms(row.modified) === rec.modifiedAt &&
          Object.entries(t.columns).every(([f, c]) => same(row[f], rec.values[f] ?? null, c.type))
        ) {
          // A newer CRM time is a change even with equal values: rows keep the CRM's time, and a deal's amount may
          // have reached `deals` through the file sync since the extract last counted it in the aggregates.
          counts.unchanged += 1;
        } else {
          counts.updated += 1;
          writes.push(rec);
          continue;
        }
        touched.push(rec.id);
      }
      const refused = await writeEachOnRefusal(em, writes, (batch) => this.upsert(em, input, batch));
      const refusedIds = new Set(refused.map((r) => r.item.id));
      for (const r of refused) {
        if (byId.has(r.item.id)) counts.updated -= 1;
        else counts.created -= 1;
      }
      const rejected: RejectedRecord[] = [
        ...input.rejected,
        ...refused.map((r) => ({
          id: r.item.id,
          modifiedAt: r.item.modifiedAt,
          reason: { code: 'INVALID_VALUE' as const, field: '*', message: `our tables refused it: ${r.message}` },
        })),
      ];
      counts.rejected = rejected.length;
      if (touched.length)
        await pgQuery(
          em,
          `update ${t.table} set ${t.seen} = $3 where connection_id = $1 and external_id = any($2::text[])`,
          [connectionId, touched, runId],
        );
      const withdraw = rejected.filter((r) => byId.get(r.id)?.live).map((r) => r.id);
      counts.withdrawn = withdraw.length;
      if (withdraw.length)
        await pgQuery(
          em,
          `update ${t.table} set ${t.withdraw}, ${t.seen} = $3, updated_at = now()
            where connection_id = $1 and external_id = any($2::text[])`,
          [connectionId, withdraw, runId],
        );
      if (domain === 'deals') {
        const changed = writes.filter((w) => !refusedIds.has(w.id));
        await this.markDirty(em, connectionId, [
          ...[...changed.map((w) => w.id), ...withdraw].flatMap((id) => {
            const row = byId.get(id);
            return row?.live ? [{ account: row.old_account, at: row.old_created }] : [];
          }),
          ...changed.map((w) => ({ account: w.values.accountId, at: w.values.createdAt })),
        ]);
      }
      await this.recordRejects(em, connectionId, domain, runId, rejected);
      const keptIds = input.kept.map((r) => r.id).filter((id) => !refusedIds.has(id));
      if (keptIds.length)
        await pgQuery(
          em,
          `delete from extract_rejects where connection_id = $1 and domain = $2 and external_id = any($3::text[])`,
          [connectionId, domain, keptIds],
        );
      return counts;
    });
  }

  private async upsert(
    em: EntityManager,
    input: { connectionId: string; provider: string; domain: ExtractDomain; runId: string },
    batch: CleanRecord[],
  ): Promise<void> {
    const t = EXTRACT_TABLES[input.domain];
    const fields = Object.keys(t.columns);
    const cols = fields.map((f) => t.columns[f]!.column);
    const recordType = [
      'external_id text',
      'modified timestamptz',
      ...fields.map((f) => `"${f}" ${t.columns[f]!.type}`),
    ];
    const isDeal = input.domain === 'deals';
    const payload = batch.map((r) => ({
      external_id: r.id,
      modified: new Date(r.modifiedAt).toISOString(),
      ...r.values,
    }));
    await pgQuery(
      em,
      `insert into ${t.table} (connection_id, external_id, ${cols.join(', ')}, ${t.modified}, ${t.seen},
              ${isDeal ? 'provider, crm_modified_at, extracted_at, ' : ''}first_seen_at, updated_at)
       select $2, x.external_id, ${fields.map((f) => `x."${f}"`).join(', ')}, x.modified, $3,
              ${isDeal ? '$4, x.modified, now(), ' : ''}now(), now()
         from jsonb_to_recordset($1::jsonb) as x(${recordType.join(', ')})
       on conflict (connection_id, external_id) do update set
              ${cols.map((c) => `${c} = excluded.${c}`).join(', ')}, ${t.modified} = excluded.${t.modified},
              ${t.seen} = excluded.${t.seen}, ${t.revive}, updated_at = now()`,
      [JSON.stringify(payload), input.connectionId, input.runId, ...(isDeal ? [input.provider] : [])],
    );
  }

  /** Periods to recompute: an account and an instant a deal had (before or after a change). */
  private async markDirty(
    em: EntityManager,
    connectionId: string,
    points: Array<{ account: unknown; at: unknown }>,
  ): Promise<void> {
    const rows = points
      .filter((p) => p.account && p.at)
      .map((p) => ({ account: String(p.account), at: new Date(p.at as string).toISOString() }));
    if (rows.length === 0) return;
    await pgQuery(
      em,
      `insert into deal_aggregation_dirty (connection_id, account_external_id, at)
       select $2, x.account, x.at from jsonb_to_recordset($1::jsonb) as x(account text, at timestamptz)
       on conflict do nothing`,
      [JSON.stringify(rows), connectionId],
    );
  }

  private async recordRejects(
    em: EntityManager,
    connectionId: string,
    domain: ExtractDomain,
    runId: string,
    rejected: RejectedRecord[],
  ): Promise<void> {
    if (rejected.length === 0) return;
    const rows = rejected.map((r) => ({
      external_id: r.id,
      code: r.reason.code,
      field: r.reason.field,
      message: r.reason.message,
      value: r.reason.value === undefined || r.reason.value === null ? null : String(r.reason.value),
      modified: new Date(r.modifiedAt).toISOString(),
    }));
    await pgQuery(
      em,
      `insert into extract_rejects (connection_id, domain, external_id, code, field, message, value, crm_modified_at, run_id, seen_at)
       select $2, $3, x.external_id, x.code, x.field, x.message, x.value, x.modified, $4, now()
         from jsonb_to_recordset($1::jsonb) as x(external_id text, code text, field text, message text, value text, modified timestamptz)
       on conflict (connection_id, domain, external_id) do update set code = excluded.code, field = excluded.field,
              message = excluded.message, value = excluded.value, crm_modified_at = excluded.crm_modified_at,
              run_id = excluded.run_id, seen_at = now()`,
      [JSON.stringify(rows), connectionId, domain, runId],
    );
  }

  /** Records the CRM reports deleted: withdrawn from the extract's view (deals: their periods recomputed). */
  async withdrawDeleted(connectionId: string, domain: ExtractDomain, ids: string[], runId: string): Promise<number> {
    if (ids.length === 0) return 0;
    const t = EXTRACT_TABLES[domain];
    return this.em.transactional(async (em) => {
      const gone = await pgQuery<{ account_external_id?: string | null; crm_created_at?: Date | null }>(
        em,
        `update ${t.table} set ${t.withdraw}, ${t.seen} = $3, updated_at = now()
          where connection_id = $1 and external_id = any($2::text[]) and ${t.live}
         returning ${domain === 'deals' ? 'account_external_id, crm_created_at' : 'external_id'}`,
        [connectionId, ids, runId],
      );
      if (domain === 'deals')
        await this.markDirty(
          em,
          connectionId,
          gone.map((g) => ({ account: g.account_external_id, at: g.crm_created_at })),
        );
      await pgQuery(
        em,
        `delete from extract_rejects where connection_id = $1 and domain = $2 and external_id = any($3::text[])`,
        [connectionId, domain, ids],
      );
      return gone.length;
    });
  }

  /**
   * The end of a domain's listing: a full run withdraws the rows it did not see (gone from the CRM) and forgets
   * their rejects; then the domain's cursor moves to the newest modification time the run read.
   */
  async finishDomain(input: {
    connectionId: string;
    domain: ExtractDomain;
    runId: string;
    full: boolean;
    newestModifiedAt: number | null;
  }): Promise<{ removed: number }> {
    const { connectionId, domain, runId } = input;
    const t = EXTRACT_TABLES[domain];
    return this.em.transactional(async (em) => {
      let removed = 0;
      if (input.full) {
        const gone = await pgQuery<{ account_external_id?: string | null; crm_created_at?: Date | null }>(
          em,
          `update ${t.table} set ${t.withdraw}, updated_at = now()
            where connection_id = $1 and ${t.live} and ${t.seen} is distinct from $2
           returning ${domain === 'deals' ? 'account_external_id, crm_created_at' : 'external_id'}`,
          [connectionId, runId],
        );
        removed = gone.length;
        if (domain === 'deals')
          await this.markDirty(
            em,
            connectionId,
            gone.map((g) => ({ account: g.account_external_id, at: g.crm_created_at })),
          );
        await pgQuery(
          em,
          `delete from extract_rejects where connection_id = $1 and domain = $2 and run_id is distinct from $3`,
          [connectionId, domain, runId],
        );
      }
      if (input.newestModifiedAt !== null)
        await pgQuery(
          em,
          `insert into sync_cursors (connection_id, stream, value, updated_at) values ($1, $2, $3, now())
           on conflict (connection_id, stream) do update set value = excluded.value, updated_at = now()
           where sync_cursors.value < excluded.value`,
          [connectionId, extractStream(domain), new Date(input.newestModifiedAt).toISOString()],
        );
      return { removed };
    });
  }
}
