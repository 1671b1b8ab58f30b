import { describe, expect, it } from 'vitest';
import type { LeadValues } from '../../domain/lead-fields.js';
import { mergeLead } from '../../domain/lead-merge.js';
import { type ConflictPolicy, leadSyncOptions } from '../../domain/lead-policy.js';
import { leadStateOf } from '../../domain/lead-state.js';

const base: LeadValues = {
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: '1',
  company: 'Acme',
  status: 'New',
  source: 'Web',
};
const T = Date.UTC(2026, 11, 1, 12, 0, 0);
const merge = (
  local: Partial<LeadValues>,
  remote: Partial<LeadValues>,
  policy: ConflictPolicy = 'crm-wins',
  times = { remote: T, local: T },
) =>
  mergeLead({
    local: { ...base, ...local },
    base,
    remote: { ...base, ...remote },
    remoteModifiedAt: times.remote,
    localChangedAt: times.local,
    options: leadSyncOptions({ leadSync: { defaultPolicy: policy } }),
  });

describe('mergeLead: one field, both sides', () => {
  it.each([
    // [case, local company, remote company, policy, times, company after, base after, conflict?]
    ['nobody changed it', 'Acme', 'Acme', 'crm-wins', { remote: T, local: T }, 'Acme', 'Acme', false],
    ['only Zoho changed it', 'Acme', 'Zed', 'local-wins', { remote: T, local: T }, 'Zed', 'Zed', false],
    ['only we changed it', 'Ours', 'Acme', 'crm-wins', { remote: T, local: T }, 'Ours', 'Acme', false],
    ['both to the same value', 'Same', 'Same', 'manual', { remote: T, local: T }, 'Same', 'Same', false],
    ['both differently, crm-wins', 'Ours', 'Zed', 'crm-wins', { remote: T, local: T }, 'Zed', 'Zed', false],
    ['both differently, local-wins', 'Ours', 'Zed', 'local-wins', { remote: T, local: T }, 'Ours', 'Zed', false],
    [
      'both differently, newest-wins, ours later',
      'Ours',
      'Zed',
      'newest-wins',
      { remote: T, local: T + 5000 },
      'Ours',
      'Zed',
      false,
    ],
    [
      'both differently, newest-wins, Zoho later',
      'Ours',
      'Zed',
      'newest-wins',
      { remote: T + 5000, local: T },
      'Zed',
      'Zed',
      false,
    ],
    [
      'both differently, newest-wins, same second: Zoho',
      'Ours',
      'Zed',
      'newest-wins',
      { remote: T, local: T + 999 },
      'Zed',
      'Zed',
      false,
    ],
    ['both differently, manual', 'Ours', 'Zed', 'manual', { remote: T, local: T }, 'Ours', 'Acme', true],
    ['we cleared it, Zoho changed it, crm-wins', null, 'Zed', 'crm-wins', { remote: T, local: T }, 'Zed', 'Zed', false],
    ['Zoho cleared it, we kept it', 'Acme', null, 'local-wins', { remote: T, local: T }, null, null, false],
  ] as const)('%s', (_case, local, remote, policy, times, after, baseAfter, conflict) => {
    const r = merge({ company: local }, { company: remote }, policy, times);
    expect(r.values.company).toBe(after);
    expect(r.base.company).toBe(baseAfter);
    expect(r.conflicts.map((c) => c.field)).toEqual(conflict ? ['company'] : []);
  });

  it("takes each side's own change when they changed different fields, and asks for a push of ours", () => {
    const r = merge({ phone: '2' }, { company: 'Zed' });
    expect(r.values).toMatchObject({ phone: '2', company: 'Zed' });
    expect(r.localUpdates).toEqual(['company']);
    expect(r.needsPush).toBe(true);
  });

  it('treats every differing field as changed on both sides when the two records were never linked (no base)', () => {
    const r = mergeLead({
      local: { ...base, company: 'Ours' },
      base: null,
      remote: { ...base, company: 'Zed' },
      remoteModifiedAt: T,
      localChangedAt: T,
      options: leadSyncOptions({ leadSync: { fieldPolicies: { company: 'local-wins' } } }),
    });
    expect(r.decisions.find((d) => d.field === 'company')).toMatchObject({
      outcome: 'local',
      bothChanged: true,
      policy: 'local-wins',
    });
    expect(r.needsPush).toBe(true);
  });
});

describe('leadStateOf', () => {
  const options = { localDeletes: 'delete' as const };
  it.each([
    ['open conflicts block it', { openConflicts: 1 }, 'conflict'],
    ['never pushed', { base: null }, 'pending'],
    ['differs from the base', { values: { ...base, phone: '9' } }, 'pending'],
    ['equals the base', {}, 'synced'],
    ['deleted here, linked, Zoho not yet', { deleted: true }, 'pending'],
    ['deleted here and in Zoho', { deleted: true, zohoDeleted: true }, 'synced'],
    ['deleted here, never linked', { deleted: true, zohoId: null }, 'synced'],
  ] as const)('%s → %s', (_case, patch, state) => {
    expect(
      leadStateOf(
        { values: base, base, zohoId: '1', deleted: false, zohoDeleted: false, openConflicts: 0, ...patch },
        options,
      ),
    ).toBe(state);
  });

  it('leaves Zoho alone for a local delete under localDeletes: ignore', () => {
    expect(
      leadStateOf(
        { values: base, base, zohoId: '1', deleted: true, zohoDeleted: false, openConflicts: 0 },
        { localDeletes: 'ignore' },
      ),
    ).toBe('synced');
  });
});
