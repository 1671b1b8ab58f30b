import { proxyActivities } from '@temporalio/workflow';
import type { ConnectionQueueActivities, MainQueueActivities } from '../activities/index.js';
import { activityPresets } from './activity-options.js';
import { connectionQueue } from './definitions.js';

type Preset = keyof typeof activityPresets;

/** Activities of the main queue (our DB), with a named preset. */
export function mainQueue(preset: Preset = 'store'): MainQueueActivities {
  return proxyActivities<MainQueueActivities>(activityPresets[preset]);
}

/** Activities of a connection's queue `crm.<id>` (its CRM, inside its budget), with a named preset. */
export function connectionActivities(connectionId: string, preset: Preset): ConnectionQueueActivities {
  return proxyActivities<ConnectionQueueActivities>({
    ...activityPresets[preset],
    taskQueue: connectionQueue(connectionId),
  });
}
