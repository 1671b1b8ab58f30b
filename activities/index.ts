import { createCrmActivities } from './crm.activities.js';
import type { ActivityDeps } from './deps.js';
import { createFileSyncCrmActivities, createFileSyncStoreActivities } from './file-sync.activities.js';
import { createLeadPullActivities, createLeadStoreActivities } from './lead-pull.activities.js';
import { createLeadPushActivities } from './lead-push.activities.js';
import { createStoreActivities } from './store.activities.js';

/** Activities of the main queue: our DB only. */
export function createMainQueueActivities(deps: ActivityDeps) {
  return { ...createStoreActivities(deps.orm), ...createFileSyncStoreActivities(deps), ...createLeadStoreActivities(deps) };
}

/** Activities of a connection's queue `crm.<id>`: they call that connection's CRM, inside its budget. */
export function createConnectionQueueActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities(deps.connectors), ...createFileSyncCrmActivities(deps), ...createLeadPullActivities(deps), ...createLeadPushActivities(deps),
  };
}

/** The one wiring point: the worker passes real dependencies, tests pass theirs. */
export function createActivities(deps: ActivityDeps) {
  return { ...createMainQueueActivities(deps), ...createConnectionQueueActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
