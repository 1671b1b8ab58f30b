import { defineEntity, p } from '@mikro-orm/postgresql';

/** One account of one provider. Holds references to secrets (env var names), never the secrets themselves. */
export const CrmConnectionSchema = defineEntity({
  name: 'CrmConnection',
  tableName: 'crm_connections',
  properties: {
    id: p.string().length(63).primary(),
    provider: p.string().length(32),
    region: p.string().length(16).nullable(),
    baseUrls: p.json<Record<string, string | undefined>>(),
    credentialRefs: p.json<Record<string, { env: string }>>(),
    budget: p.json<{ maxRequests: number; perMs: number; maxConcurrent: number; dailyLimit?: number }>(),
    options: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  },
});
export class CrmConnection extends CrmConnectionSchema.class {}
CrmConnectionSchema.setClass(CrmConnection);
