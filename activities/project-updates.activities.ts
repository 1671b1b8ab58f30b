import { ConflictError } from '../connectors/errors.js';
import type { ProjectSnapshot } from '../connectors/capabilities.js';
import { IntegrationRequestsRepository } from '../db/repositories/integration-requests.repository.js';
import { JobsRepository } from '../db/repositories/jobs.repository.js';
import { ProjectLinksRepository } from '../db/repositories/project-links.repository.js';
import { changeOrderNote, dealChanges, type SiOutputs } from '../domain/deal-project.js';
import { projectGuid } from '../domain/project-guid.js';
import type {
  ProjectUpdateCounts,
  ProjectUpdatesInput,
  PublishedProject,
  RunRef,
} from '../workflows/project-updates-definitions.js';
import { dealToProjectJob } from './deal-to-project.activities.js';
import type { ActivityDeps } from './deps.js';
import { classified, dispositionOf, itemErrorCode } from './failures.js';
import { type ItemEvent, recordItemEvents } from './item-events.js';
import { carriedProgress, keepAlive, reportProgress } from './keepalive.js';

type Ref = RunRef & { jobId: string; projectId: string };
/** Entries read per page; SI shifts later pages as entries are acknowledged, so each poll starts at page 1. */
const ENTRY_PAGE = 100;
const crmNow = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Project-update activities on a connection's queue: read projects from SI, apply them to deals, acknowledge. */
export function createProjectUpdateActivities(deps: ActivityDeps) {
  const em = () => deps.orm.em.fork();
  const event = (
    ref: Ref,
    connectionId: string,
    e: Omit<ItemEvent, 'runId' | 'workflowId' | 'connectionId'>,
  ): ItemEvent => ({
    runId: ref.runId,
    workflowId: ref.workflowId,
    connectionId,
    ...e,
  });
  return classified({
    /** What SI users published and nobody acknowledged, grouped by project (optionally only some projects). */
    async siPublishedProjects(input: {
      jobId: string;
      onlyProjectIds?: string[];
      maxProjects: number;
    }): Promise<PublishedProject[]> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        const projects = await deps.connectors.capability(job.si, 'projects');
        const only = input.onlyProjectIds ? new Set(input.onlyProjectIds.map((p) => p.toLowerCase())) : undefined;
        const byProject = new Map<string, PublishedProject>();
        for (let page = 1; ; page += 1) {
          const { entries } = await projects.publishedEntries(page, ENTRY_PAGE);
          for (const e of entries) {
            const id = e.projectId.toLowerCase();
            if (only && !only.has(id)) continue;
            if (!byProject.has(id) && byProject.size >= input.maxProjects) continue;
            if (!byProject.has(id)) byProject.set(id, { projectId: id, entries: [] });
            byProject.get(id)!.entries.push({ coNumber: e.coNumber, stamp: e.stamp });
          }
          if (entries.length < ENTRY_PAGE) break;
        }
        return [...byProject.values()];
      });
    },

    /**
     * Reads a project from SI and keeps it on its link for the CRM side. A project this job published but whose link
     * was lost is linked again (its GUID derives from the deal); any other project without a deal is an item error.
     */
    async projectSnapshot(input: Ref & { coNumbers?: string[] }): Promise<{ dealId: string | null }> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        let project: ProjectSnapshot;
        try {
          project = await (
            await deps.connectors.capability(job.si, 'projects')
          ).readProject(input.projectId, input.coNumbers);
        } catch (err) {
          // A project SI cannot serve (unknown, or never published by an SI user) is this project's error only.
          if (dispositionOf(err) !== 'item') throw err;
          await recordItemEvents(deps.orm, [
            event(input, job.si, {
              level: 'error',
              code: itemErrorCode(err),
              message: `SI project ${input.projectId} cannot be read: ${(err as Error).message} (an SI user publishes it from SI)`,
              details: { projectId: input.projectId },
            }),
          ]);
          return { dealId: null };
        }
        const links = new ProjectLinksRepository(em());
        let link = await links.byProject(input.jobId, project.id);
        const dealId = project.integrationProjectId;
        if (!link && dealId && projectGuid(input.jobId, dealId) === project.id.toLowerCase()) {
          await links.relink(input.jobId, dealId, project.id, project.number);
          link = await links.byProject(input.jobId, project.id);
        }
        if (!link) {
          await recordItemEvents(deps.orm, [
            event(input, job.si, {
              level: 'error',
              code: 'NO_LINKED_DEAL',
              message: `SI project ${project.number ?? project.id} is linked to no deal of job ${input.jobId}; publish it from a deal first`,
              details: { projectId: project.id },
            }),
          ]);
          return { dealId: null };
        }
        await links.saveSnapshot(input.jobId, project.id, project as unknown as Record<string, unknown>);
        if (project.number && project.number !== link.projectNumber)
          await links.setState(input.jobId, link.dealId, 'imported', project.number);
        return { dealId: link.dealId };
      });
    },

    /**
     * Applies the project's snapshot to its deal: the mapped fields that differ (no write when none do), and one
     * note per change order exactly once — a ledger row is claimed first, and a claimed row without a note id (the
     * create's answer was lost) is looked for by its marker among the deal's notes before another is created.
     */
    async dealApplyProject(
      input: Ref & { dryRun: boolean },
    ): Promise<Omit<ProjectUpdateCounts, 'projects' | 'acknowledged'>> {
      // Writes of an attempt that failed later are done; the retry skips them, and the counts still name them.
      // Item errors are not carried: the retry meets them again.
      const out = {
        ...carriedProgress({ fieldsWritten: 0, dealsWritten: 0, notesAdded: 0, notesFound: 0 }),
        errors: 0,
      };
      const progress = () => ({ ...out, errors: undefined });
      const checkpoint = () => reportProgress(progress());
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        const links = new ProjectLinksRepository(em());
        const link = await links.byProject(input.jobId, input.projectId);
        if (!link?.snapshot) return out;
        const project = link.snapshot as unknown as ProjectSnapshot;
        const deals = await deps.connectors.capability(job.crm, 'deals');
        const deal = await deals.readDeal(link.dealId, Object.keys(job.toDeal));
        const events: ItemEvent[] = [];
        if (!deal) {
          await recordItemEvents(deps.orm, [
            event(input, job.crm, {
              level: 'error',
              code: 'DEAL_GONE',
              message: `deal ${link.dealId} of SI project ${project.number ?? project.id} no longer exists in the CRM`,
              details: { dealId: link.dealId, projectId: project.id },
            }),
          ]);
          return { ...out, errors: 1 };
        }
        const si: SiOutputs = {
          id: project.id,
          number: project.number,
          ...project.values,
          state: link.state,
          syncedAt: crmNow(),
        };
        const changes = dealChanges(si, deal.fields, job);
        if (Object.keys(changes).length) {
          if (input.dryRun) {
            events.push(
              event(input, job.crm, {
                level: 'info',
                code: 'dry-run:deal-update',
                message: `would update deal ${link.dealId}: ${Object.keys(changes).join(', ')}`,
                details: { dealId: link.dealId, changes },
              }),
            );
          } else {
            const res = await deals.updateDeal(link.dealId, changes);
            if (res.ok) {
              out.fieldsWritten += Object.keys(changes).length;
              out.dealsWritten += 1;
              checkpoint();
            } else {
              out.errors += 1;
              events.push(
                event(input, job.crm, {
                  level: 'error',
                  code: res.code,
                  message: `deal ${link.dealId}: the CRM refused ${Object.keys(changes).join(', ')}: ${res.message}`,
                  details: { dealId: link.dealId },
                }),
              );
            }
          }
        }
        let notes: Array<{ id: string; title: string | null }> | undefined;
        const notesOfDeal = async () => (notes ??= await deals.listNotes(link.dealId));
        const ledger = new Map((await links.notesOf(input.jobId, project.id)).map((n) => [n.coNumber, n]));
        for (const co of project.changeOrders) {
          const note = changeOrderNote(project, co);
          const key = { jobId: input.jobId, projectId: project.id, coNumber: co.number };
          if (ledger.get(co.number)?.noteId) continue;
          try {
            const found = (await notesOfDeal()).find((n) => n.title?.includes(note.marker));
            if (input.dryRun) {
              if (!found)
                events.push(
                  event(input, job.crm, {
                    level: 'info',
                    code: 'dry-run:note',
                    message: `would add note "${note.title}" to deal ${link.dealId}`,
                    details: { dealId: link.dealId, coNumber: co.number },
                  }),
                );
              continue;
            }
            await links.claimNote(key, link.dealId, note.marker);
            if (found) {
              await links.noteWritten(key, found.id);
              out.notesFound += 1;
              checkpoint();
              continue;
            }
            const res = await deals.addNote(link.dealId, { title: note.title, content: note.content });
            if (res.ok) {
              await links.noteWritten(key, res.id);
              out.notesAdded += 1;
              checkpoint();
            } else {
              out.errors += 1;
              events.push(
                event(input, job.crm, {
                  level: 'error',
                  code: res.code,
                  message: `deal ${link.dealId}: the CRM refused the note for change order ${co.number} of ${project.number ?? project.id}: ${res.message}`,
                  details: { dealId: link.dealId, coNumber: co.number },
                }),
              );
            }
          } catch (err) {
            // A deal whose notes cannot be read or written for good is that deal's error; the other projects go on.
            if (dispositionOf(err) !== 'item') throw err;
            out.errors += 1;
            events.push(
              event(input, job.crm, {
                level: 'error',
                code: itemErrorCode(err),
                message: `deal ${link.dealId}: note for change order ${co.number} of ${project.number ?? project.id}: ${(err as Error).message}`,
                details: { dealId: link.dealId, coNumber: co.number },
              }),
            );
          }
        }
        await recordItemEvents(deps.orm, events);
        return out;
      }, progress);
    },

    /** Acknowledges what was applied, each entry with the stamp it was read with: an entry SI changed since stays. */
    async projectAcknowledge(input: {
      jobId: string;
      project: PublishedProject;
    }): Promise<{ acknowledged: number; stale: number }> {
      return keepAlive(async () => {
        const job = await dealToProjectJob(deps, input.jobId);
        const projects = await deps.connectors.capability(job.si, 'projects');
        const out = { acknowledged: 0, stale: 0 };
        for (const e of input.project.entries) {
          try {
            await projects.acknowledge({ projectId: input.project.projectId, coNumber: e.coNumber, stamp: e.stamp });
            out.acknowledged += 1;
          } catch (err) {
            if (!(err instanceof ConflictError)) throw err;
            out.stale += 1;
          }
        }
        return out;
      });
    },
  });
}

/** Project-update activities on the main queue: the CRM-update request row. */
export function createProjectUpdateStoreActivities(deps: Pick<ActivityDeps, 'orm'>) {
  const requests = () => IntegrationRequestsRepository.crmUpdates(deps.orm.em.fork());
  return classified({
    /** Every deal-to-project job, as the poll needs them: ids only. */
    async dealToProjectJobs(): Promise<Array<{ jobId: string; crm: string; si: string }>> {
      return (await new JobsRepository(deps.orm.em.fork()).dealToProject()).map((j) => ({
        jobId: j.id,
        crm: j.crm,
        si: j.si,
      }));
    },

    /** CRM-update requests left `received` (the API died after committing one, or the job's updates were busy). */
    async crmUpdatesWaiting(input: { olderThanMs: number; limit: number }): Promise<ProjectUpdatesInput[]> {
      const rows = await requests().waiting(new Date(Date.now() - input.olderThanMs), input.limit);
      const jobs = new Map((await new JobsRepository(deps.orm.em.fork()).dealToProject()).map((j) => [j.id, j]));
      return rows.flatMap((r) => {
        const job = jobs.get(r.jobId);
        return job
          ? [
              {
                jobId: job.id,
                crm: job.crm,
                si: job.si,
                projectIds: r.projectIds.length ? r.projectIds : undefined,
                requestId: r.id,
              },
            ]
          : [];
      });
    },

    /** The job's oldest CRM-update request still waiting, as the running updates workflow takes it next. */
    async crmUpdateNext(input: { jobId: string }): Promise<ProjectUpdatesInput | null> {
      const job = (await new JobsRepository(deps.orm.em.fork()).dealToProject(input.jobId))[0];
      const row = job ? (await requests().waiting(new Date(Date.now() + 60_000), 1, input.jobId))[0] : undefined;
      return job && row
        ? {
            jobId: job.id,
            crm: job.crm,
            si: job.si,
            projectIds: row.projectIds.length ? row.projectIds : undefined,
            requestId: row.id,
          }
        : null;
    },

    async crmUpdateBegin(input: { requestId: number; workflowId: string }): Promise<void> {
      await requests().markRunning(input.requestId, input.workflowId);
    },
    async crmUpdateEnd(input: {
      requestId: number;
      status: 'done' | 'failed';
      result?: Record<string, unknown>;
      error?: string | null;
    }): Promise<void> {
      await requests().finish(input.requestId, input.status, { result: input.result, error: input.error });
    },
  });
}
