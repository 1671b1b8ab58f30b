import { UnavailableError, ValidationError } from '../connectors/errors.js';
import { ZOHO_PAGE_LIMIT, ZOHO_PAGE_REACH } from '../connectors/zoho-crm/zoho-crm.client.js';
import type { ZohoInfo } from '../connectors/zoho-crm/zoho-crm.schemas.js';
import { valuesFromZoho, ZOHO_LEAD_LIST_FIELDS } from '../domain/lead-fields.js';
import { leadSyncOptions } from '../domain/lead-policy.js';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { LEAD_DELETES_STREAM, LeadPullRepository, LEADS_STREAM, type PlanEntry, type RemoteLead } from '../db/repositories/lead-pull.repository.js';
import { LeadPushRepository } from '../db/repositories/lead-push.repository.js';
import { SyncCursorsRepository } from '../db/repositories/sync-cursors.repository.js';
import { SyncRunsRepository } from '../db/repositories/sync-runs.repository.js';
import type {
  LeadPullDeletesInput, LeadPullDeletesResult, LeadPullPageInput, LeadPullPageResult, LeadPullPlan, LeadPullPosition,
} from '../workflows/lead-definitions.js';
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { keepAlive } from './keepalive.js';

/** Each pull re-reads a little before its cursor: a write committed late in Zoho can carry an earlier time. */
export const PULL_OVERLAP_MS = 30_000;

/** Lead pull activities on the main queue: our DB only. */
export function createLeadStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const em = () => deps.orm.em.fork();
  return classified({
    async leadPullPlan(input: { connectionId: string; full?: boolean }): Promise<LeadPullPlan> {
      const row = await new ConnectionsRepository(em()).get(input.connectionId);
      if (!row) throw new ValidationError(`connection "${input.connectionId}" does not exist`, { code: 'UNKNOWN_CONNECTION' });
      if (row.provider !== 'zoho-crm') throw new ValidationError(`connection "${row.id}" is ${row.provider}; leads sync with zoho-crm only`, { code: 'NOT_LEAD_CAPABLE' });
      const cursors = new SyncCursorsRepository(em());
      const back = async (stream: string) => {
        const at = input.full ? null : await cursors.get(input.connectionId, stream);
        return at ? new Date(Date.parse(at) - PULL_OVERLAP_MS).toISOString() : null;
      };
      return { since: await back(LEADS_STREAM), deletedSince: await back(LEAD_DELETES_STREAM) };
    },

    async leadPendingCount(input: { connectionId: string }): Promise<number> {
      return new LeadPushRepository(em()).pendingCount(input.connectionId);
    },
  });
}

/** Lead pull activities on the connection's queue: one Zoho call and one transaction each. */
export function createLeadPullActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /** One page of leads modified since the position, merged and committed with the cursor; returns the next position. */
    async leadPullPage(input: LeadPullPageInput): Promise<LeadPullPageResult> {
      return keepAlive(async () => {
        const { client } = await deps.connectors.zohoCrm(input.connectionId);
        const options = leadSyncOptions((await deps.connectors.connection(input.connectionId)).options);
        const { position } = input;
        const res = await client.listRecords('Leads', {
          fields: ZOHO_LEAD_LIST_FIELDS, perPage: ZOHO_PAGE_LIMIT, sortBy: 'Modified_Time', sortOrder: 'asc',
          modifiedSince: position.since ?? undefined, page: position.pageToken ? undefined : position.page, pageToken: position.pageToken,
        });
        const remote: RemoteLead[] = res.records.map((r) => ({ zohoId: r.id, values: valuesFromZoho(r), modifiedAt: Date.parse(String(r.Modified_Time)) }));
        if (remote.some((r) => Number.isNaN(r.modifiedAt))) throw new UnavailableError('Zoho returned a lead without a readable Modified_Time', { code: 'INVALID_RESPONSE' });
        const out = await new LeadPullRepository(em()).mergePage(input.connectionId, remote, options, input.dryRun);
        await recordEvents(deps, input, out.plan, out.errors, input.dryRun);
        return { next: nextPosition(position, remote, res.info), counts: out.counts };
      });
    },

    /** One page of Zoho's deleted leads since the cursor, applied by the connection's policy. */
    async leadPullDeletes(input: LeadPullDeletesInput): Promise<LeadPullDeletesResult> {
      return keepAlive(async () => {
        const { client } = await deps.connectors.zohoCrm(input.connectionId);
        const options = leadSyncOptions((await deps.connectors.connection(input.connectionId)).options);
        const res = await client.listDeleted('Leads', { type: 'all', page: input.page, perPage: ZOHO_PAGE_LIMIT, modifiedSince: input.since ?? undefined });
        const deleted = res.records.map((d) => ({ zohoId: d.id, deletedAt: Date.parse(d.deleted_time) }));
        const out = await new LeadPullRepository(em()).applyRemoteDeletes(input.connectionId, deleted, options, input.dryRun);
        await recordEvents(deps, input, out.plan, [], input.dryRun);
        return { nextPage: res.info?.more_records ? input.page + 1 : null, counts: { received: out.counts.received, deleted: out.counts.deleted, detached: out.counts.detached } };
      });
    },
  });
}

/**
 * Keyset paging on Modified_Time: the next query starts one second before the last record seen (Zoho times have
 * whole seconds and If-Modified-Since is exclusive), so records modified while we page cannot slip between pages.
 * Only when a whole page shares one second does the same query go a page deeper, by `page_token` past 2,000.
 */
export function nextPosition(position: LeadPullPosition, page: RemoteLead[], info: ZohoInfo | undefined): LeadPullPosition | null {
  if (page.length === 0 || !info?.more_records) return null;
  const keyset = page[page.length - 1]!.modifiedAt - 1000;
  const since = position.since === null ? null : Date.parse(position.since);
  if (since === null || keyset > since) return { since: new Date(keyset).toISOString(), page: 1 };
  const next = position.page + 1;
  if (next * ZOHO_PAGE_LIMIT <= ZOHO_PAGE_REACH) return { since: position.since, page: next };
  // ⚠ `page` reaches only the first 2,000 records; beyond, page_token (crm-apis.md 2.1).
  if (!info.next_page_token) throw new UnavailableError('Zoho reported more leads but no next_page_token', { code: 'INVALID_RESPONSE' });
  return { since: position.since, page: next, pageToken: info.next_page_token };
}

async function recordEvents(deps: Pick<ActivityDeps, 'orm'>, input: { runId: string; workflowId: string; connectionId: string }, plan: PlanEntry[], errors: Array<{ zohoId: string; code: string; message: string }>, dryRun: boolean): Promise<void> {
  const common = { runId: input.runId, workflowId: input.workflowId, connectionId: input.connectionId };
  await new SyncRunsRepository(deps.orm.em.fork()).addEvents([
    ...errors.map((e) => ({ ...common, level: 'error' as const, code: e.code, message: e.message, details: { zohoId: e.zohoId } })),
    ...(dryRun ? plan.map((p) => ({ ...common, level: 'info' as const, code: `dry-run:${p.action}`, message: describe(p), details: p as unknown as Record<string, unknown> })) : []),
  ]);
}

export function describe(p: PlanEntry): string {
  switch (p.action) {
    case 'create': return `would create a lead from Zoho lead ${p.zohoId}`;
    case 'update': case 'link': return `would ${p.action} lead ${p.leadId} (Zoho ${p.zohoId})${p.fields.length ? `: ${p.fields.map((f) => f.field).join(', ')}` : ''}`;
    case 'conflict': return `would open a conflict on lead ${p.leadId}.${p.field}`;
    case 'keep-local': return `would keep the local ${p.field} of lead ${p.leadId} (${p.policy})`;
    case 'delete': case 'detach': return `would ${p.action} lead ${p.leadId} (deleted in Zoho as ${p.zohoId})`;
  }
}
