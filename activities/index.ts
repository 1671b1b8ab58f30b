import { createCrmActivities } from './crm.activities.js';
import { createProjectUpdateActivities, createProjectUpdateStoreActivities } from './project-updates.activities.js';
import { createDealProjectActivities, createDealProjectStoreActivities } from './deal-to-project.activities.js';
import type { ActivityDeps } from './deps.js';
import { createFileSyncCrmActivities, createFileSyncStoreActivities } from './file-sync.activities.js';
import { createLeadPullActivities, createLeadStoreActivities } from './lead-pull.activities.js';
import { createLeadPushActivities } from './lead-push.activities.js';
import { createStoreActivities } from './store.activities.js';
import { createExtractActivities, createExtractStoreActivities } from './extract.activities.js';
import { createTransferActivities, createTransferStoreActivities } from './workdrive-transfer.activities.js';

/** Activities of the main queue: our DB only. */
export function createMainQueueActivities(deps: ActivityDeps) {
  return {
    ...createStoreActivities(deps.orm),
    ...createFileSyncStoreActivities(deps),
    ...createLeadStoreActivities(deps),
    ...createDealProjectStoreActivities(deps),
    ...createProjectUpdateStoreActivities(deps),
    ...createTransferStoreActivities(deps),
    ...createExtractStoreActivities(deps),
  };
}

/** Activities of a connection's queue `crm.<id>`: they call that connection's CRM, inside its budget. */
export function createConnectionQueueActivities(deps: ActivityDeps) {
  return {
    ...createCrmActivities(deps.connectors),
    ...createFileSyncCrmActivities(deps),
    ...createLeadPullActivities(deps),
    ...createLeadPushActivities(deps),
    ...createDealProjectActivities(deps),
    ...createProjectUpdateActivities(deps),
    ...createTransferActivities(deps),
    ...createExtractActivities(deps),
  };
}

/** What workflows may call on the main queue (our DB) and on a connection's queue (its CRM): two types, so a
 * CRM activity proxied onto the main queue, or a DB activity onto a connection's queue, does not compile. */
export type MainQueueActivities = ReturnType<typeof createMainQueueActivities>;
export type ConnectionQueueActivities = ReturnType<typeof createConnectionQueueActivities>;
