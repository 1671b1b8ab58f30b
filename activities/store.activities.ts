import type { MikroORM } from '@mikro-orm/postgresql';
import { SyncRunsRepository } from '../db/repositories/sync-runs.repository.js';
import type { RunFinishInput, RunStartInput } from '../workflows/definitions.js';
import { classified } from './failures.js';

/** Activities that write our own DB; each is idempotent so a retry changes nothing. */
export function createStoreActivities(orm: MikroORM) {
  const repo = () => new SyncRunsRepository(orm.em.fork());
  return classified({
    async storeRecordRunStarted(input: RunStartInput): Promise<void> {
      await repo().start({ ...input, startedAt: new Date(input.startedAt) });
    },

    async storeRecordRunFinished(input: RunFinishInput): Promise<void> {
      const error = input.error && {
        code: input.error.type,
        message: input.error.message,
        workflowId: input.workflowId,
        connectionId: input.connectionId,
      };
      await repo().finish(input.runId, { status: input.status, counts: input.counts, result: input.result, error });
    },
  });
}
