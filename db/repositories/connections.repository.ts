import type { EntityManager } from '@mikro-orm/postgresql';
import { budgetOf, type ConnectionConfig, ConnectionSchema } from '../../config/connections.js';
import { CrmConnection } from '../entities/index.js';

export class ConnectionsRepository {
  constructor(private readonly em: EntityManager) {}

  /** Upserts connections by id: applying the same file twice changes nothing. Secrets stay as env references. */
  async apply(configs: ConnectionConfig[]): Promise<{ created: string[]; updated: string[] }> {
    const created: string[] = [];
    const updated: string[] = [];
    for (const c of configs) {
      const values = {
        provider: c.provider, region: 'region' in c ? c.region : null, baseUrls: { ...c.baseUrls },
        credentialRefs: { ...c.credentials } as Record<string, { env: string }>, budget: budgetOf(c), options: c.options,
      };
      const row = await this.em.findOne(CrmConnection, { id: c.id });
      if (row) { this.em.assign(row, values); updated.push(c.id); } else { this.em.create(CrmConnection, { id: c.id, ...values }); created.push(c.id); }
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
    id: row.id, provider: row.provider, ...(row.region ? { region: row.region } : {}),
    baseUrls: Object.fromEntries(Object.entries(row.baseUrls).filter(([, v]) => v !== undefined && v !== null)),
    credentials: row.credentialRefs, budget: row.budget, options: row.options,
  });
}
