export { connectionCheck } from './connection-check.js';
export { fileSync } from './file-sync.js';
export { fileSyncAll } from './file-sync-all.js';
export { leadPull } from './lead-pull.js';
export { leadPush } from './lead-push.js';
export { scheduledRun } from './scheduled-run.js';
export { dealToProject } from './deal-to-project.js';
export { requestSweep } from './request-sweep.js';
