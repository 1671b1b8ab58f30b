import { defineEntity, p } from '@mikro-orm/postgresql';

/**
 * Scratch rows of a dry run: which CRM files it saw, so it can count what a real full run would soft-delete
 * without stamping the synced tables. Removed when the run finishes.
 */
export const DryRunSeenSchema = defineEntity({
  name: 'DryRunSeen',
  tableName: 'dry_run_seen',
  properties: {
    runId: p.string().length(64).primary(),
    externalFileId: p.string().length(64).primary(),
  },
});
export class DryRunSeen extends DryRunSeenSchema.class {}
DryRunSeenSchema.setClass(DryRunSeen);
