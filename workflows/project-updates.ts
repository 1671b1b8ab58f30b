import { ActivityFailure, continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { crmUpdateWaitingSignal } from './project-updates-signals.js';
import { type Progress, progressQuery } from './definitions.js';
import {
  type ProjectUpdateCounts,
  type ProjectUpdatesInput,
  type ProjectUpdatesResult,
  zeroProjectCounts,
} from './project-updates-definitions.js';
import { connectionActivities, mainQueue } from './queues.js';
import { recordedRun } from './run-recorder.js';

const store = mainQueue();
/** Projects per run: each costs a few activities; a poll with more leaves the rest for the next one. */
const MAX_PROJECTS = 200;
/** Requests taken by one run before it continues as new: keeps the history bounded. */
const REQUESTS_PER_RUN = 20;
/** Projects applied at once. */
const PROJECTS_AT_ONCE = 8;

/**
 * SI projects → their deals (from `POST /crm-updates` or the `si-poll` schedule), one run per job: for each project,
 * read it from SI (SI queue) → update the deal's mapped fields and add each change order's note exactly once (CRM
 * queue) → acknowledge what SI handed out, with the stamps it was read with (SI queue). A project without a deal is
 * an item error; the others go on. Requests that arrive meanwhile are taken, in order, before the run ends. Dry runs
 * read and plan, and write to neither side nor to the ledger.
 */
export async function projectUpdatesToCrm(input: ProjectUpdatesInput): Promise<ProjectUpdatesResult> {
  const total = zeroProjectCounts();
  let progress: Progress = { phase: 'listing', done: 0, total: null };
  setHandler(progressQuery, () => ({ ...progress, counts: { ...total } }));
  // What to take next is read from the request rows; the signal says to look again.
  const wake = { signalled: false };
  setHandler(crmUpdateWaitingSignal, () => {
    wake.signalled = true;
  });

  const result = await recordedRun(
    'project-updates',
    input.crm,
    async () => {
      let next: ProjectUpdatesInput | null = input;
      for (let taken = 0; next; taken++) {
        if (taken >= REQUESTS_PER_RUN) break;
        const counts = await applyRequest(next, (p) => {
          progress = p;
        });
        for (const k of Object.keys(total) as Array<keyof ProjectUpdateCounts>) total[k] += counts[k];
        next = next.dryRun ? null : await store.crmUpdateNext({ jobId: input.jobId });
      }
      progress = { phase: 'done', done: total.projects, total: total.projects };
      return { ...total, jobId: input.jobId, dryRun: input.dryRun ?? false };
    },
    (r) => ({ projects: r.projects, fieldsWritten: r.fieldsWritten, notesAdded: r.notesAdded, errors: r.errors }),
    { perRun: true },
  );
  // Requests still waiting (more than a run takes, or committed while this one was being recorded: those arrive
  // as a signal, and Temporal does not let a run complete past one) go on in a fresh run.
  if (!input.dryRun) {
    // A request committed after a look signals once committed: look again until a look saw no new signal.
    do {
      wake.signalled = false;
      const next = await store.crmUpdateNext({ jobId: input.jobId });
      if (next) await continueAsNew<typeof projectUpdatesToCrm>(next);
    } while (wake.signalled);
  }
  return result;
}

/** One request (or one poll): its request row moves to running and then done or failed. */
async function applyRequest(input: ProjectUpdatesInput, report: (p: Progress) => void): Promise<ProjectUpdateCounts> {
  const si = connectionActivities(input.si, 'crmCall');
  const crm = connectionActivities(input.crm, 'crmCall');
  const dryRun = input.dryRun ?? false;
  const counts = zeroProjectCounts();
  // Each run of the chain is its own sync_runs row (recordedRun perRun), so item events carry this run's id.
  const { workflowId, runId } = workflowInfo();
  if (input.requestId) await store.crmUpdateBegin({ requestId: input.requestId, workflowId });
  try {
    const published = await si.siPublishedProjects({
      jobId: input.jobId,
      onlyProjectIds: input.projectIds,
      maxProjects: MAX_PROJECTS,
    });
    const byId = new Map(published.map((p) => [p.projectId, p]));
    const ids = input.projectIds
      ? [...new Set(input.projectIds.map((p) => p.toLowerCase()))]
      : published.map((p) => p.projectId);
    report({ phase: 'applying', done: 0, total: ids.length });
    // A few projects at a time: each is independent (its own deal, its own ledger rows), and the connection
    // queues' rate governors keep the whole inside both budgets.
    const queue = [...ids];
    const lane = async () => {
      for (let projectId = queue.shift(); projectId; projectId = queue.shift()) {
        const ref = { jobId: input.jobId, projectId, runId, workflowId };
        counts.projects += 1;
        const coNumbers = (byId.get(projectId)?.entries ?? []).flatMap((e) => (e.coNumber ? [e.coNumber] : []));
        const { dealId } = await si.projectSnapshot({ ...ref, coNumbers });
        if (!dealId) {
          counts.errors += 1;
        } else {
          const applied = await crm.dealApplyProject({ ...ref, dryRun });
          for (const k of ['fieldsWritten', 'dealsWritten', 'notesAdded', 'notesFound', 'errors'] as const)
            counts[k] += applied[k];
          const entries = byId.get(projectId);
          if (!dryRun && entries && applied.errors === 0)
            counts.acknowledged += (await si.projectAcknowledge({ jobId: input.jobId, project: entries })).acknowledged;
        }
        report({ phase: 'applying', done: counts.projects, total: ids.length });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PROJECTS_AT_ONCE, ids.length) }, lane));
    if (input.requestId)
      await store.crmUpdateEnd({ requestId: input.requestId, status: 'done', result: { ...counts, dryRun } });
    return counts;
  } catch (err) {
    const message = ((err instanceof ActivityFailure ? err.cause : err) as Error | undefined)?.message ?? String(err);
    if (input.requestId)
      await store.crmUpdateEnd({ requestId: input.requestId, status: 'failed', result: { ...counts }, error: message });
    throw err;
  }
}
