import type { LeadStore, RecordWriteResult } from '../connectors/capabilities.js';
import { LEAD_FIELDS, type LeadValues } from '../domain/lead-fields.js';
import { LeadMergeRepository } from '../db/repositories/lead-merge.repository.js';
import { type LeadSyncOptions, leadSyncOptions } from '../domain/lead-policy.js';
import { planPush, type PushLead, type PushPlan } from '../domain/lead-push-plan.js';
import { LeadPushRepository, type PushOutcome } from '../db/repositories/lead-push.repository.js';
import { type LeadRow, valuesOf } from '../db/repositories/lead-rows.js';
import type { LeadPushBatchInput, LeadPushBatchResult } from '../workflows/lead-definitions.js';
import type { ActivityDeps } from './deps.js';
import { recordItemEvents } from './item-events.js';
import { classified } from './failures.js';
import { keepAlive } from './keepalive.js';

/** Leads per batch: one write call each for creates, updates and deletes (Zoho takes 100 records a call). */
export const PUSH_BATCH = 100;

/** The batch sorted into Zoho's write calls (domain/lead-push-plan.ts). */
type Work = PushPlan<LeadRow>;

/** Lead push activities on the connection's queue. */
export function createLeadPushActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /**
     * Pushes up to 100 pending leads: new ones matched on email (a retried create finds its lead), changed ones by id with only the changed
     * fields, local deletes by id. Each answer is recorded as soon as it arrives, so a retry resends only what
     * Zoho has not confirmed; per-record errors mark that lead `error` and the batch goes on.
     */
    async leadPushBatch(input: LeadPushBatchInput): Promise<LeadPushBatchResult> {
      return keepAlive(async () => {
        const options = leadSyncOptions((await deps.connectors.connection(input.connectionId)).options);
        const repo = new LeadPushRepository(em());
        const crm = await deps.connectors.capability(input.connectionId, 'leads');
        const batch = await repo.pendingBatch(input.connectionId, PUSH_BATCH, input.afterId, input.leadIds);
        const merged = input.dryRun ? undefined : await mergeRemoteFirst(deps, crm, input.connectionId, batch, options);
        // After a merge some leads are settled or in conflict: only those still pending are pushed.
        const rows = merged?.again
          ? await repo.pendingBatch(
              input.connectionId,
              PUSH_BATCH,
              input.afterId,
              batch.map((r) => r.id),
            )
          : batch;
        const work = planPush(rows, pushLeadOf, options);
        const counts = {
          created: 0,
          updated: 0,
          deleted: 0,
          unchanged: work.noops.length + batch.length - rows.length,
          errors: merged?.errors.length ?? 0,
        };
        const result = { lastId: batch.at(-1)?.id ?? input.afterId, more: batch.length === PUSH_BATCH, counts };
        if (input.dryRun) {
          await recordPlan(deps, input, work);
          Object.assign(counts, {
            created: work.creates.length,
            updated: work.updates.length,
            deleted: work.deletes.length,
          });
          return result;
        }
        await repo.record(input.connectionId, work.noops, options);
        const outcomes: PushOutcome[] = [];
        // Recorded after each call, so a retry after a later failure resends nothing Zoho already confirmed.
        for (const call of [
          () => pushCreates(crm, work.creates),
          () => pushUpdates(crm, work.updates),
          () => pushDeletes(crm, work.deletes),
        ]) {
          outcomes.push(...(await repo.record(input.connectionId, await call(), options)));
        }
        for (const o of outcomes) {
          if (o.kind === 'failed') counts.errors += 1;
          else if (o.kind === 'deleted') counts.deleted += 1;
          else if (o.complete) counts.created += 1;
          else counts.updated += 1;
        }
        await recordErrors(deps, input, [...(merged?.errors ?? []), ...outcomes]);
        return result;
      });
    },
  });
}

/**
 * Reads the batch's leads from Zoho before writing: linked ones by id, new ones by email (COQL), so a push never
 * overwrites an edit it has not seen, and a new lead whose email Zoho already has is linked to that lead and merged
 * by the connection's field policies instead of overwriting it. Returns whether the batch must be read again, and
 * the records the merge could not take.
 */
async function mergeRemoteFirst(
  deps: ActivityDeps,
  crm: LeadStore,
  connectionId: string,
  rows: LeadRow[],
  options: LeadSyncOptions,
): Promise<{ again: boolean; errors: PushOutcome[] }> {
  const linked = rows.filter((r) => r.zoho_id && !r.deleted_at);
  const emails = rows.filter((r) => !r.zoho_id && !r.deleted_at && r.email).map((r) => r.email!);
  const records = [...(await crm.readLeads(linked.map((r) => r.zoho_id!))), ...(await crm.findLeadsByEmail(emails))];
  if (records.length === 0) return { again: false, errors: [] };
  // Every record is merged, not only those with a later Modified_Time: an edit in the same second as our last
  // write carries the same time. Merging what equals the base changes nothing.
  const out = await new LeadMergeRepository(deps.orm.em.fork()).mergePage(connectionId, records, options, {
    dryRun: false,
  });
  const errors = out.errors.map((e): PushOutcome => ({
    leadId: e.leadId ?? 0,
    kind: 'failed',
    code: e.code,
    message: e.message,
  }));
  return { again: true, errors };
}

/** The push rule's view of a pending row. */
function pushLeadOf(row: LeadRow): PushLead {
  return {
    id: row.id,
    zohoId: row.zoho_id,
    values: valuesOf(row),
    base: row.base,
    deletedAt: row.deleted_at,
    zohoDeletedAt: row.zoho_deleted_at,
  };
}

async function pushCreates(crm: LeadStore, rows: LeadRow[]): Promise<PushOutcome[]> {
  const sent = rows.map((r) => nonNull(valuesOf(r)));
  const results = await crm.createLeads(sent);
  return rows.map((r, i) => outcome(r.id, results[i], { sent: sent[i]!, complete: true }));
}

async function pushUpdates(crm: LeadStore, work: Work['updates']): Promise<PushOutcome[]> {
  const sent = work.map(({ row, fields }) => {
    const values = valuesOf(row);
    return Object.fromEntries(fields.map((f) => [f, values[f]])) as Partial<LeadValues>;
  });
  const results = await crm.updateLeads(
    work.map(({ row, fields }, i) => ({ id: row.zoho_id!, values: sent[i]!, fields })),
  );
  return work.map(({ row }, i) => outcome(row.id, results[i], { sent: sent[i]!, complete: false }));
}

async function pushDeletes(crm: LeadStore, rows: LeadRow[]): Promise<PushOutcome[]> {
  const results = await crm.deleteLeads(rows.map((r) => r.zoho_id!));
  return rows.map((r, i) => {
    const res = results[i];
    if (res?.ok) return { leadId: r.id, kind: 'deleted' as const };
    return {
      leadId: r.id,
      kind: 'failed' as const,
      code: res?.code ?? 'MISSING_RESULT',
      message: res?.message ?? 'the CRM returned no result for this record',
    };
  });
}

function outcome(
  leadId: number,
  res: RecordWriteResult | undefined,
  what: { sent: Partial<LeadValues>; complete: boolean },
): PushOutcome {
  if (!res)
    return { leadId, kind: 'failed', code: 'MISSING_RESULT', message: 'the CRM returned no result for this record' };
  if (!res.ok) return { leadId, kind: 'failed', code: res.code, message: res.message };
  const modifiedAt = res.modifiedTime ? Date.parse(res.modifiedTime) : NaN;
  return { leadId, kind: 'written', ...what, zohoId: res.id, modifiedAt: Number.isNaN(modifiedAt) ? null : modifiedAt };
}

function nonNull(values: LeadValues): Partial<LeadValues> {
  return Object.fromEntries(LEAD_FIELDS.filter((f) => values[f] !== null).map((f) => [f, values[f]]));
}

async function recordPlan(deps: Pick<ActivityDeps, 'orm'>, input: LeadPushBatchInput, work: Work): Promise<void> {
  const common = {
    runId: input.runId,
    workflowId: input.workflowId,
    connectionId: input.connectionId,
    level: 'info' as const,
  };
  await recordItemEvents(deps.orm, [
    ...work.creates.map((r) => ({
      ...common,
      code: 'dry-run:push-create',
      message: `would create lead ${r.id} in Zoho`,
      details: { leadId: r.id },
    })),
    ...work.updates.map(({ row, fields }) => ({
      ...common,
      code: 'dry-run:push-update',
      message: `would update Zoho lead ${row.zoho_id}: ${fields.join(', ')}`,
      details: {
        leadId: row.id,
        zohoId: row.zoho_id,
        fields: fields.map((f) => ({ field: f, from: row.base?.[f] ?? null, to: valuesOf(row)[f] })),
      },
    })),
    ...work.deletes.map((r) => ({
      ...common,
      code: 'dry-run:push-delete',
      message: `would delete Zoho lead ${r.zoho_id}`,
      details: { leadId: r.id, zohoId: r.zoho_id },
    })),
  ]);
}

async function recordErrors(
  deps: Pick<ActivityDeps, 'orm'>,
  input: LeadPushBatchInput,
  outcomes: PushOutcome[],
): Promise<void> {
  await recordItemEvents(
    deps.orm,
    outcomes.flatMap((o) =>
      o.kind === 'failed'
        ? [
            {
              runId: input.runId,
              workflowId: input.workflowId,
              connectionId: input.connectionId,
              level: 'error' as const,
              code: o.code,
              // Merge errors about a Zoho record no local lead holds yet carry no lead id; their message names the Zoho lead.
              message: o.leadId ? `lead ${o.leadId}: ${o.message}` : o.message,
              details: o.leadId ? { leadId: o.leadId } : {},
            },
          ]
        : [],
    ),
  );
}
