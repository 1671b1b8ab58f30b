import { workflowIds } from './definitions.js';
import type { ProjectUpdatesInput } from './project-updates-definitions.js';
import { mainQueue } from './queues.js';
import { startDetached } from './start-detached.js';

const store = mainQueue();

export interface SiPollResult {
  started: string[];
  alreadyRunning: string[];
}

/**
 * Run by the `si-poll` schedule: for every deal-to-project job, a `projectUpdatesToCrm` of whatever SI users
 * published since the last poll, under the job's business key (a request's run in progress is left alone).
 */
export async function siPoll(): Promise<SiPollResult> {
  const result: SiPollResult = { started: [], alreadyRunning: [] };
  for (const job of await store.dealToProjectJobs()) {
    const input: ProjectUpdatesInput = { jobId: job.jobId, crm: job.crm, si: job.si };
    const runId = await startDetached('projectUpdatesToCrm', workflowIds.projectUpdates(job.jobId), [input]);
    (runId ? result.started : result.alreadyRunning).push(job.jobId);
  }
  return result;
}
