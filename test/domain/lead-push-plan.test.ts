import { describe, expect, it } from 'vitest';
import { LEAD_FIELDS, type LeadField, type LeadValues } from '../../domain/lead-fields.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import { planPush, type PushLead } from '../../domain/lead-push-plan.js';

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
const base: LeadValues = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '1',
  company: 'Acme',
  status: 'New',
  source: 'Web',
};
const lead = (patch: Partial<PushLead> = {}): PushLead => ({
  id: 1,
  zohoId: 'z1',
  values: base,
  base,
  deletedAt: null,
  zohoDeletedAt: null,
  ...patch,
});
const same = (l: PushLead) => l;

describe('planPush: one pending lead', () => {
  const deleted = { deletedAt: new Date(T) };
  it.each<
    [
      string,
      Partial<PushLead>,
      LeadSyncOptions['localDeletes'],
      'create' | 'update' | 'delete' | 'noop-deleted' | 'noop-written',
      LeadField[]?,
    ]
  >([
    ['deleted here, linked, policy delete', deleted, 'delete', 'delete'],
    ['deleted here, linked, policy ignore', deleted, 'ignore', 'noop-deleted'],
    ['deleted here and in Zoho already', { ...deleted, zohoDeletedAt: new Date(T) }, 'delete', 'noop-deleted'],
    ['deleted here, never linked', { ...deleted, zohoId: null, base: null }, 'delete', 'noop-deleted'],
    ['deleted here with unpushed edits', { ...deleted, values: { ...base, phone: '2' } }, 'delete', 'delete'],
    ['never linked', { zohoId: null, base: null }, 'delete', 'create'],
    ['never linked, policy ignore', { zohoId: null, base: null }, 'ignore', 'create'],
    ['linked, one field changed', { values: { ...base, phone: '2' } }, 'delete', 'update', ['phone']],
    [
      'linked, fields changed and cleared',
      { values: { ...base, company: null, firstName: 'Augusta' } },
      'delete',
      'update',
      ['firstName', 'company'],
    ],
    ['linked, no base yet', { base: null }, 'delete', 'update', [...LEAD_FIELDS]],
    ['linked, nothing changed since the base', {}, 'delete', 'noop-written'],
    [
      "linked, only '' against null",
      { values: { ...base, phone: '' }, base: { ...base, phone: null } },
      'delete',
      'noop-written',
    ],
  ])('%s → %s', (_case, patch, localDeletes, bucket, fields) => {
    const l = lead(patch);
    const p = planPush([l], same, { localDeletes });
    expect(p.creates).toEqual(bucket === 'create' ? [l] : []);
    expect(p.updates).toEqual(bucket === 'update' ? [{ row: l, fields }] : []);
    expect(p.deletes).toEqual(bucket === 'delete' ? [l] : []);
    expect(p.noops).toEqual(
      bucket === 'noop-deleted'
        ? [{ leadId: 1, kind: 'deleted' }]
        : bucket === 'noop-written'
          ? [{ leadId: 1, kind: 'written', sent: {}, complete: false, zohoId: 'z1', modifiedAt: null }]
          : [],
    );
  });
});

describe('planPush: a batch', () => {
  it('hands back the caller’s rows, in batch order within each list', () => {
    const rows = [
      { name: 'a', lead: lead({ id: 1, zohoId: null, base: null }) },
      { name: 'b', lead: lead({ id: 2, values: { ...base, phone: '2' } }) },
      { name: 'c', lead: lead({ id: 3, zohoId: null, base: null }) },
      { name: 'd', lead: lead({ id: 4, deletedAt: new Date(T) }) },
      { name: 'e', lead: lead({ id: 5 }) },
    ];
    const p = planPush(rows, (r) => r.lead, { localDeletes: 'delete' });
    expect(p.creates.map((r) => r.name)).toEqual(['a', 'c']);
    expect(p.updates.map((u) => [u.row.name, u.fields])).toEqual([['b', ['phone']]]);
    expect(p.deletes.map((r) => r.name)).toEqual(['d']);
    expect(p.noops.map((n) => [n.leadId, n.kind])).toEqual([[5, 'written']]);
  });
});
