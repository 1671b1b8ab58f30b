import { setHandler } from '@temporalio/workflow';
import { type ConnectionCheckInput, type ConnectionCheckResult, type Progress, progressQuery } from './definitions.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities } from './queues.js';

/** Verifies one connection: Zoho mints (or reuses) a token and reads one record; HubSpot makes one cheap authenticated read. */
export async function connectionCheck(input: ConnectionCheckInput): Promise<ConnectionCheckResult> {
  let progress: Progress = { phase: 'starting', done: 0, total: 1 };
  setHandler(progressQuery, () => progress);
  const crm = connectionActivities(input.connectionId, 'crmProbe');
  return recordedRun('connection-check', input.connectionId, async () => {
    progress = { phase: 'checking', done: 0, total: 1 };
    const outcome = await crm.crmCheckConnection(input.connectionId);
    progress = { phase: 'done', done: 1, total: 1 };
    return outcome;
  });
}
