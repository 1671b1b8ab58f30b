import { proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { activityPresets } from './activity-options.js';
import { type ConnectionCheckInput, type ConnectionCheckResult, connectionQueue, type Progress, progressQuery } from './definitions.js';
import { recordedRun } from './run-recorder.js';

/** Verifies one connection: Zoho mints (or reuses) a token and reads one record; HubSpot makes one cheap authenticated read. */
export async function connectionCheck(input: ConnectionCheckInput): Promise<ConnectionCheckResult> {
  let progress: Progress = { phase: 'starting', done: 0, total: 1 };
  setHandler(progressQuery, () => progress);
  const crm = proxyActivities<Activities>({ ...activityPresets.crmProbe, taskQueue: connectionQueue(input.connectionId) });
  return recordedRun('connection-check', input.connectionId, async () => {
    progress = { phase: 'checking', done: 0, total: 1 };
    const outcome = await crm.crmCheckConnection(input.connectionId);
    progress = { phase: 'done', done: 1, total: 1 };
    return outcome;
  });
}
