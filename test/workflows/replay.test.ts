import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const history = (name: string) =>
  historyFromJSON(JSON.parse(readFileSync(new URL(`./histories/${name}.json`, import.meta.url), 'utf8')));

/**
 * Histories recorded from real runs of earlier code. If a change to a workflow would break runs in flight, replay
 * throws a DeterminismViolationError here: guard the change with `patched()` instead.
 */
describe('workflow replay against recorded histories', () => {
  for (const name of [
    'connection-check-completed',
    'connection-check-failed',
    'file-sync-hubspot-completed',
    'file-sync-zoho-completed',
    'lead-pull-completed',
    'lead-push-completed',
    'file-sync-all-completed',
    'scheduled-run-completed',
    'deal-to-project-completed',
    'project-updates-completed',
    'si-poll-completed',
    'request-sweep-completed',
    'workdrive-transfer-completed',
    'workdrive-transfer-record-completed',
    'crm-extract-completed',
    'records-update-completed',
  ]) {
    it(`replays ${name} without non-determinism`, async () => {
      await expect(Worker.runReplayHistory({ workflowsPath }, history(name))).resolves.toBeUndefined();
    });
  }
});
