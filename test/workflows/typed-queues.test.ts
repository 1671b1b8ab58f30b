import { describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/deps.js';
import {
  type ConnectionQueueActivities,
  createConnectionQueueActivities,
  createMainQueueActivities,
  type MainQueueActivities,
} from '../../activities/index.js';

// Checked by `npm run typecheck` (part of CI): each line must stay a compile error, or the build fails.
// @ts-expect-error leadPushBatch calls Zoho: it runs on the connection's queue, never on the main queue.
export type CrmActivityOnMainQueue = MainQueueActivities['leadPushBatch'];
// @ts-expect-error storeRecordRunStarted writes our DB: it runs on the main queue, never on a connection's queue.
export type DbActivityOnConnectionQueue = ConnectionQueueActivities['storeRecordRunStarted'];

describe('activities typed per task queue', () => {
  it('registers every activity on exactly one of the two queues', () => {
    // The factories only close over their dependencies, so listing their names needs none.
    const deps = {} as ActivityDeps;
    const main = Object.keys(createMainQueueActivities(deps));
    const crm = Object.keys(createConnectionQueueActivities(deps));
    expect(main.filter((name) => crm.includes(name))).toEqual([]);
    expect(main).toContain('storeRecordRunStarted');
    expect(crm).toContain('leadPushBatch');
  });
});
