import { Context } from '@temporalio/activity';
import { ConfigError } from '../config/env.js';
import type { DealToProjectJob } from '../config/jobs.js';
import type { ProjectQueue } from '../connectors/capabilities.js';
import { ValidationError } from '../connectors/errors.js';
import type { ProjectLink } from '../db/entities/index.js';
import { getJob } from '../db/repositories/connections.repository.js';
import { IntegrationRequestsRepository } from '../db/repositories/integration-requests.repository.js';
import { ProjectLinksRepository } from '../db/repositories/project-links.repository.js';
import { dealChanges, planProject, type SiOutputs } from '../domain/deal-project.js';
import { projectGuid } from '../domain/project-guid.js';
import type { DealToProjectInput, ImportOutcome, ProjectPlanOutcome } from '../workflows/deal-project-definitions.js';
import type { ActivityDeps } from './deps.js';
import { classified } from './failures.js';
import { carriedProgress, keepAlive, reportProgress } from './keepalive.js';

type Ref = Pick<DealToProjectInput, 'requestId' | 'jobId' | 'dealId'>;
interface StoredPlan {
  projectId: string;
  mode: ProjectPlanOutcome['mode'];
  fields: Record<string, unknown>;
}

const sameFields = (a: Record<string, unknown> | null | undefined, b: Record<string, unknown>) =>
  !!a && Object.keys(a).length === Object.keys(b).length && Object.entries(b).every(([k, v]) => a[k] === v);

/** The job as applied; a request whose job left the connections file cannot run until it is back. */
export async function dealToProjectJob(deps: Pick<ActivityDeps, 'orm'>, jobId: string): Promise<DealToProjectJob> {
  const job = await getJob(deps.orm.em.fork(), jobId);
  if (!job || job.kind !== 'deal-to-project')
    throw new ConfigError([`job "${jobId}" is not a deal-to-project job of the applied connections file`]);
  return job;
}

/**
 * SI has no idempotency keys (crm-apis.md 5), so a retry looks before it publishes. An earlier attempt that
 * recorded its publish (and failed later, reading the status) left these fields on the link: follow that message.
 * One that died after SI queued its publish but before the link recorded it left a message the link does not
 * know: follow that one, rather than queue a second the SI user would have to import again. The first attempt
 * publishes without looking.
 */
async function publishedByEarlierAttempt(
  projects: ProjectQueue,
  plan: StoredPlan,
  link: ProjectLink | null,
): Promise<{ messageId: string; skipped: string[] } | null> {
  if (Context.current().info.attempt === 1) return null;
  if (link?.messageId && sameFields(link.publishedFields, plan.fields))
    return { messageId: link.messageId, skipped: [] };
  const last = await projects.lastPublish(plan.projectId, plan.mode === 'update' ? 'update' : 'publish');
  return last && last.messageId !== link?.messageId ? { messageId: last.messageId, skipped: [] } : null;
}

/** Reads the status of the link's last publish; an import records the project number, a failure the state. */
async function importStatus(links: ProjectLinksRepository, projects: ProjectQueue, input: Ref): Promise<ImportOutcome> {
  const link = await links.get(input.jobId, input.dealId);
  if (!link?.messageId)
    throw new ValidationError(`deal ${input.dealId} has no publish to follow`, { code: 'NO_PUBLISH' });
  const status = await projects.publishStatus(link.messageId);
  if (status.state === 'imported') await links.setState(input.jobId, input.dealId, 'imported', status.projectNumber);
  // A failed update leaves an imported project imported; a failed first publish marks the link failed.
  else if (status.state === 'failed' && link.state !== 'imported')
    await links.setState(input.jobId, input.dealId, 'failed');
  return { state: status.state, error: status.error };
}

/** Zoho date-times take no milliseconds (crm-apis.md 2.3). */
const crmNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Deal-to-project activities on the main queue: the request row. */
export function createDealProjectStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const requests = () => IntegrationRequestsRepository.si(deps.orm.em.fork());
  return classified({
    async siRequestBegin(input: { requestId: number; workflowId: string }): Promise<{ importTimeoutMinutes: number }> {
      const row = await requests().get(input.requestId);
      if (!row) throw new ConfigError([`SI request ${input.requestId} does not exist (deleted while it waited?)`]);
      const job = await dealToProjectJob(deps, row.jobId);
      await requests().markRunning(input.requestId, input.workflowId);
      return { importTimeoutMinutes: job.importTimeoutMinutes };
    },

    /** Requests committed but never started (the API died between the two, or their deal was busy), oldest first. */
    async siRequestsWaiting(input: { olderThanMs: number; limit: number }): Promise<DealToProjectInput[]> {
      const rows = await requests().waiting(new Date(Date.now() - input.olderThanMs), input.limit);
      const out: DealToProjectInput[] = [];
      for (const r of rows) {
        const job = await getJob(deps.orm.em.fork(), r.jobId);
        if (job?.kind === 'deal-to-project')
          out.push({ requestId: r.id, jobId: job.id, dealId: r.dealId, crm: job.crm, si: job.si });
      }
      return out;
    },

    /** The deal's oldest SI request still waiting, as the deal's running workflow takes it next. */
    async siRequestNext(input: { jobId: string; dealId: string }): Promise<DealToProjectInput | null> {
      const [row] = await requests().waitingFor(input.jobId, input.dealId);
      if (!row) return null;
      const job = await dealToProjectJob(deps, row.jobId);
      return { requestId: row.id, jobId: job.id, dealId: row.dealId, crm: job.crm, si: job.si };
    },

    async siRequestEnd(input: {
      requestId: number;
      status: 'done' | 'failed';
      result?: Record<string, unknown>;
      error?: string | null;
    }): Promise<void> {
      await requests().finish(input.requestId, input.status, { result: input.result, error: input.error });
    },
  });
}

/** Deal-to-project activities on a connection's queue: the CRM side (deals) and the SI side (projects). */
export function createDealProjectActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  return classified({
    /**
     * Reads the deal and plans its project: publish a new one, or update the project the deal is linked to. The
     * plan goes to the request row (values stay out of workflow history); required SI fields the deal leaves
     * blank are returned as the deal fields to fill.
     */
    async dealPlanProject(input: Ref): Promise<ProjectPlanOutcome> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        const deals = await deps.connectors.capability(job.crm, 'deals');
        const idField = Object.entries(job.toDeal).find(([, out]) => out === 'id')![0];
        const deal = await deals.readDeal(input.dealId, [...Object.values(job.toProject), idField]);
        const projectId = projectGuid(input.jobId, input.dealId);
        if (!deal) return { missing: [], mode: 'publish', projectId, found: false };
        const { fields, missing } = planProject(deal.fields, job);
        const link = await new ProjectLinksRepository(em()).get(input.jobId, input.dealId);
        const linked =
          link?.state === 'imported' ||
          (typeof deal.fields[idField] === 'string' && deal.fields[idField] === projectId);
        // An imported project already holding these values (a replay, a repeated webhook) is not published again.
        const unchanged = link?.state === 'imported' && sameFields(link.publishedFields, fields);
        const plan: StoredPlan = { projectId, mode: unchanged ? 'unchanged' : linked ? 'update' : 'publish', fields };
        await IntegrationRequestsRepository.si(em()).saveResult(input.requestId, { plan, missing });
        return { missing, mode: plan.mode, projectId, found: true };
      });
    },

    /**
     * Publishes the planned project under its derived GUID (a retry updates, never duplicates), links it, and reads
     * where the publish stands once: the workflow waits only when SI has not imported it yet.
     */
    async projectPublish(input: Ref): Promise<ImportOutcome> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        const row = await IntegrationRequestsRepository.si(em()).get(input.requestId);
        const plan = (row?.result as { plan?: StoredPlan } | null)?.plan;
        if (!plan || plan.mode === 'unchanged')
          throw new ValidationError(`SI request ${input.requestId} has no plan to publish`, { code: 'NO_PLAN' });
        const projects = await deps.connectors.capability(job.si, 'projects');
        const links = new ProjectLinksRepository(em());
        const out =
          (await publishedByEarlierAttempt(projects, plan, await links.get(input.jobId, input.dealId))) ??
          (plan.mode === 'update'
            ? await projects.update(plan.projectId, plan.fields)
            : {
                ...(await projects.publish({
                  id: plan.projectId,
                  integrationProjectId: input.dealId,
                  fields: plan.fields,
                })),
                skipped: [],
              });
        await links.published(input.jobId, input.dealId, plan.projectId, out.messageId, plan.fields);
        return importStatus(links, projects, input);
      });
    },

    /** Where the last publish stands in SI's queue; an import records the project number on the link. */
    async projectImportStatus(input: Ref): Promise<ImportOutcome> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        return importStatus(
          new ProjectLinksRepository(em()),
          await deps.connectors.capability(job.si, 'projects'),
          input,
        );
      });
    },

    /** Writes the project's id, number and state to the deal: only fields that differ, nothing when none do. */
    async dealWriteBack(input: Ref): Promise<{ written: string[] }> {
      // A retry after the write landed finds nothing to change; the fields the lost attempt wrote still count.
      const done = carriedProgress<{ written: string[] }>({ written: [] });
      return keepAlive(
        async () => {
          const job = await dealToProjectJob(deps, input.jobId);
          const link = await new ProjectLinksRepository(em()).get(input.jobId, input.dealId);
          if (!link)
            throw new ValidationError(`deal ${input.dealId} is not linked to a project`, { code: 'NOT_LINKED' });
          const known: Partial<SiOutputs> = {
            id: link.projectId,
            number: link.projectNumber,
            state: link.state,
            syncedAt: crmNow(),
          };
          // Only what this flow knows without reading the project back; the rest comes with project updates.
          const toDeal = Object.fromEntries(Object.entries(job.toDeal).filter(([, out]) => out in known));
          const deals = await deps.connectors.capability(job.crm, 'deals');
          const deal = await deals.readDeal(input.dealId, Object.keys(toDeal));
          if (!deal)
            throw new ValidationError(`deal ${input.dealId} no longer exists in the CRM`, { code: 'DEAL_GONE' });
          const changes = dealChanges(known as SiOutputs, deal.fields, { toDeal });
          if (Object.keys(changes).length === 0) return done;
          const res = await deals.updateDeal(input.dealId, changes);
          if (!res.ok)
            throw new ValidationError(
              `the CRM refused the write-back to deal ${input.dealId}: ${res.code}: ${res.message}`,
              { code: res.code },
            );
          done.written = Object.keys(changes);
          reportProgress(done);
          return done;
        },
        () => done,
      );
    },
  });
}
