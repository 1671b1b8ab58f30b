import type { EntityManager } from '@mikro-orm/postgresql';
import { type DealToProjectJob, JobSchema, type WorkdriveTransferJob } from '../../config/jobs.js';
import { SyncJob } from '../entities/index.js';

export type { DealToProjectJob, WorkdriveTransferJob };

/** Jobs as applied from the connections file, validated again on the way out (the schema may have gained defaults). */
export class JobsRepository {
  constructor(private readonly em: EntityManager) {}

  async dealToProject(jobId?: string): Promise<DealToProjectJob[]> {
    const rows = await this.em.find(SyncJob, jobId ? { id: jobId } : { kind: 'deal-to-project' });
    return rows
      .map((r) => JobSchema.parse(r.config))
      .filter((j): j is DealToProjectJob => j.kind === 'deal-to-project');
  }

  async workdriveTransfer(jobId?: string): Promise<WorkdriveTransferJob[]> {
    const rows = await this.em.find(SyncJob, jobId ? { id: jobId } : { kind: 'workdrive-transfer' });
    return rows
      .map((r) => JobSchema.parse(r.config))
      .filter((j): j is WorkdriveTransferJob => j.kind === 'workdrive-transfer');
  }
}
