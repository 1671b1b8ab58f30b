import type { EntityManager } from '@mikro-orm/postgresql';
import { budgetOf, type ConnectionConfig, ConnectionSchema } from '../../config/connections.js';
import { type JobConfig, JobSchema } from '../../config/jobs.js';
import { CrmConnection, SyncJob } from '../entities/index.js';

export class ConnectionsRepository {
  constructor(private readonly em: EntityManager) {}

  /**
   * Upserts connections (and the file's jobs) by id: applying the same file twice changes nothing. Secrets stay as
   * env references. Jobs not in the file are removed: the file is the whole truth about them.
   */
  async apply(configs: ConnectionConfig[], jobs?: JobConfig[]): Promise<{ created: string[]; updated: string[] }> {
    const created: string[] = [];
    const updated: string[] = [];
    for (const c of configs) {
      const values = {
        provider: c.provider,
        region: 'region' in c ? c.region : null,
        baseUrls: { ...c.baseUrls },
        credentialRefs: { ...c.credentials } as Record<string, { env: string }>,
        budget: budgetOf(c),
        options: c.options,
      };
      const row = await this.em.findOne(CrmConnection, { id: c.id });
      if (row) {
        this.em.assign(row, values);
        updated.push(c.id);
      } else {
        this.em.create(CrmConnection, { id: c.id, ...values });
        created.push(c.id);
      }
    }
    if (jobs) {
      for (const job of jobs) {
        const row = await this.em.findOne(SyncJob, { id: job.id });
        if (row) this.em.assign(row, { kind: job.kind, config: job as unknown as Record<string, unknown> });
        else this.em.create(SyncJob, { id: job.id, kind: job.kind, config: job as unknown as Record<string, unknown> });
      }
      await this.em.nativeDelete(SyncJob, { id: { $nin: jobs.map((j) => j.id) } });
    }
    await this.em.flush();
    return { created, updated };
  }

  async list(): Promise<CrmConnection[]> {
    return this.em.find(CrmConnection, {}, { orderBy: { id: 'asc' } });
  }

  async get(id: string): Promise<CrmConnection | null> {
    return this.em.findOne(CrmConnection, { id });
  }
}

/** Rebuilds the validated connection config from its row (the worker resolves secrets from it). */
export function toConnectionConfig(row: CrmConnection): ConnectionConfig {
  return ConnectionSchema.parse({
    id: row.id,
    provider: row.provider,
    ...(row.region ? { region: row.region } : {}),
    baseUrls: Object.fromEntries(Object.entries(row.baseUrls).filter(([, v]) => v !== undefined && v !== null)),
    credentials: row.credentialRefs,
    budget: row.budget,
    options: row.options,
  });
}

/** A job as applied, validated again on the way out (the schema may have gained defaults since). */
export async function getJob(em: EntityManager, id: string): Promise<JobConfig | null> {
  const row = await em.findOne(SyncJob, { id });
  return row ? JobSchema.parse(row.config) : null;
}
