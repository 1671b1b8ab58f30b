import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { ConnectionQueueActivities, MainQueueActivities } from '../activities/index.js';
import { activityPresets } from './activity-options.js';
import { connectionQueue } from './definitions.js';

type Preset = keyof typeof activityPresets;

/** Activities of the main queue (our DB), with a named preset. */
export function mainQueue(preset: Preset = 'store'): MainQueueActivities {
  return proxyActivities<MainQueueActivities>(activityPresets[preset]);
}

/**
 * The main queue's DB activities run as local activities, in the worker that runs the workflow: one marker in
 * history instead of a task through the server. For short DB calls of workflows that run by the thousand.
 */
export function localStore(): MainQueueActivities {
  return proxyLocalActivities<MainQueueActivities>(activityPresets.store);
}

/** Activities of a connection's queue `crm.<id>` (its CRM, inside its budget), with a named preset. */
export function connectionActivities(connectionId: string, preset: Preset): ConnectionQueueActivities {
  return proxyActivities<ConnectionQueueActivities>({
    ...activityPresets[preset],
    taskQueue: connectionQueue(connectionId),
  });
}
