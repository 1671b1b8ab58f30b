import { defineEntity, p } from '@mikro-orm/postgresql';

/** A field both sides changed differently under the `manual` policy; open until resolved through the API. */
export const LeadConflictSchema = defineEntity({
  name: 'LeadConflict',
  tableName: 'lead_conflicts',
  properties: {
    id: p.bigint('number').primary().autoincrement(),
    leadId: p.bigint('number'),
    field: p.string().length(32),
    localValue: p.text().nullable(),
    remoteValue: p.text().nullable(),
    baseValue: p.text().nullable(),
    remoteModifiedAt: p.datetime().nullable(),
    detectedAt: p.datetime().onCreate(() => new Date()),
    resolvedAt: p.datetime().nullable(),
    /** How it was resolved: local, crm or value. */
    resolution: p.string().length(16).nullable(),
    resolvedValue: p.text().nullable(),
  },
  indexes: [
    {
      name: 'lead_conflicts_open_unique',
      expression:
        'create unique index "lead_conflicts_open_unique" on "lead_conflicts" ("lead_id", "field") where "resolved_at" is null',
    },
  ],
});
export class LeadConflict extends LeadConflictSchema.class {}
LeadConflictSchema.setClass(LeadConflict);
