import type { EntityManager } from '@mikro-orm/postgresql';
import type { TransferRecord } from '../db/entities/index.js';
import { JobsRepository, type WorkdriveTransferJob } from '../db/repositories/jobs.repository.js';
import { SyncRunsRepository } from '../db/repositories/sync-runs.repository.js';
import { TransferRunsRepository } from '../db/repositories/transfer-runs.repository.js';
import { workflowIds } from '../workflows/definitions.js';
import type { WorkdriveTransferInput } from '../workflows/workdrive-transfer-definitions.js';
import { BadRequest, NotFound } from './errors.js';
import type { StartedSync, SyncsService } from './syncs.service.js';

export interface TransferRequest {
  jobId?: string;
  dryRun?: boolean;
  recordId?: string;
  limit?: number;
}

/** One record of a run as the API and the CLI show it. */
export function transferRecordView(r: TransferRecord) {
  return {
    seq: r.seq,
    recordId: r.recordId,
    name: r.name ?? null,
    state: r.state,
    folder: r.folderId ? { id: r.folderId, name: r.folderName ?? null, url: r.folderUrl ?? null } : null,
    destination: r.destination ?? null,
    checkboxSet: r.checkboxSet,
    files: (r.files ?? []).map((f) => ({
      attachmentId: f.attachmentId,
      fileName: f.fileName,
      size: f.size,
      finalName: f.finalName,
      outcome: f.outcome,
      reason: f.reason ?? null,
    })),
    reason: r.reason ?? null,
  };
}
export type TransferRecordView = ReturnType<typeof transferRecordView>;

/** WorkDrive transfers: started by the API, the CLI and the daily schedule under one id per job. */
export class TransfersService {
  constructor(
    private readonly syncs: SyncsService,
    private readonly em: () => EntityManager,
  ) {}

  /** The named job, or the only one; several without a name is a question for the caller. */
  async job(jobId?: string): Promise<WorkdriveTransferJob> {
    const jobs = await new JobsRepository(this.em()).workdriveTransfer(jobId);
    if (jobId && !jobs[0]) throw new NotFound('workdrive-transfer job', jobId);
    if (jobs.length === 0) throw new BadRequest('no workdrive-transfer job in the applied connections file');
    if (jobs.length > 1)
      throw new BadRequest(`several workdrive-transfer jobs exist; name one: ${jobs.map((j) => j.id).join(', ')}`, {
        jobs: jobs.map((j) => j.id),
      });
    return jobs[0]!;
  }

  /** A real run is one at a time per job (a second start returns the running one); a dry run has an id of its own. */
  async start(req: TransferRequest): Promise<StartedSync> {
    const job = await this.job(req.jobId);
    const id = workflowIds.workdriveTransfer(job.id);
    const input: WorkdriveTransferInput = {
      jobId: job.id,
      dryRun: !!req.dryRun,
      ...(req.recordId ? { recordId: req.recordId } : {}),
      ...(req.limit ? { limit: req.limit } : {}),
    };
    return this.syncs.start('workdriveTransfer', req.dryRun ? workflowIds.dryRun(id) : id, input);
  }

  /** The run (status, progress, counts) with each record's outcome, in the order the run took them. */
  async get(workflowId: string, opts: { limit?: number; afterSeq?: number } = {}) {
    if (!workflowId.startsWith('workdrive-transfer:')) throw new NotFound('transfer', workflowId);
    const view = await this.syncs.get(workflowId);
    const run = await new SyncRunsRepository(this.em()).findLatestByWorkflowId(workflowId);
    const records = run ? await new TransferRunsRepository(this.em()).ofRun(run.runId, opts) : [];
    return { ...view, records: records.map(transferRecordView) };
  }

  list(limit: number, cursor?: string) {
    return this.syncs.list({ kind: 'workdrive-transfer' }, limit, cursor);
  }
}
