import { createCrmActivities } from './crm.activities.js';
import type { ActivityDeps } from './deps.js';
import { createStoreActivities } from './store.activities.js';

/** The one wiring point: the worker passes real dependencies, tests pass theirs. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createStoreActivities(deps.orm),
    ...createCrmActivities(deps.connectors),
  };
}

export type Activities = ReturnType<typeof createActivities>;
