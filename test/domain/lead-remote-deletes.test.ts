import { describe, expect, it } from 'vitest';
import type { LeadValues } from '../../domain/lead-fields.js';
import type { LeadWrite } from '../../domain/lead-page-plan.js';
import type { LeadSyncOptions } from '../../domain/lead-policy.js';
import { type DeletableLead, planRemoteDeletes } from '../../domain/lead-remote-deletes.js';

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
/** When Zoho deleted the lead. */
const GONE = T + 60_000;
const values = (company: string): LeadValues => ({
  firstName: 'Ada',
  lastName: 'Lovelace',
  email: 'ada@example.com',
  phone: null,
  company,
  status: null,
  source: null,
});
const lead = (patch: Partial<DeletableLead> = {}): DeletableLead => ({
  id: 1,
  zohoId: 'z1',
  values: values('Acme'),
  base: values('Acme'),
  syncState: 'synced',
  lastError: null,
  remoteModifiedAt: new Date(T),
  localChangedAt: new Date(T),
  deletedAt: null,
  zohoDeletedAt: null,
  ...patch,
});
type Policy = LeadSyncOptions['remoteDeletes'];

describe('planRemoteDeletes: one lead, one deletion', () => {
  const pending = { values: values('Ours'), syncState: 'pending' } as const;
  const inConflict = { values: values('Ours'), syncState: 'conflict' } as const;
  const inError = { syncState: 'error', lastError: 'MANDATORY_NOT_FOUND: Last_Name' } as const;
  const deletedHere = { deletedAt: new Date(T - 1000), syncState: 'pending' } as const;
  const applied = { deletedAt: new Date(GONE), zohoDeletedAt: new Date(GONE) } as const;
  const changedLater = { remoteModifiedAt: new Date(GONE + 60_000) } as const;
  // The written fields that depend on the case (the rest are checked below for every write).
  type Written = Pick<LeadWrite, 'zohoId' | 'base' | 'deletedAt'>;
  const deleted = (deletedAt = new Date(GONE)): Written => ({ zohoId: 'z1', base: values('Acme'), deletedAt });
  const detached = (base = 'Acme', deletedAt: Date | null = null): Written => ({
    zohoId: null,
    base: values(base),
    deletedAt,
  });
  it.each<[string, Policy, Partial<DeletableLead>, string, 'delete' | 'detach' | 'unchanged', Written | null]>([
    ['synced lead, delete', 'delete', {}, 'z1', 'delete', deleted()],
    ['synced lead, keep', 'keep', {}, 'z1', 'detach', detached()],
    // Pending edits are not pushed: deleted with the base they had, or kept with them as the new base (not pending).
    ['pending local edits, delete', 'delete', pending, 'z1', 'delete', deleted()],
    ['pending local edits, keep', 'keep', pending, 'z1', 'detach', detached('Ours')],
    ['open conflict, delete', 'delete', inConflict, 'z1', 'delete', deleted()],
    ['open conflict, keep', 'keep', inConflict, 'z1', 'detach', detached('Ours')],
    ['lead in error, delete', 'delete', inError, 'z1', 'delete', deleted()],
    ['lead in error, keep', 'keep', inError, 'z1', 'detach', detached()],
    // The local delete's time stays; Zoho's delete settles the push of it.
    ['deleted here already, delete', 'delete', deletedHere, 'z1', 'delete', deleted(new Date(T - 1000))],
    ['deleted here already, keep', 'keep', deletedHere, 'z1', 'detach', detached('Acme', new Date(T - 1000))],
    ['Zoho delete applied already, delete', 'delete', applied, 'z1', 'unchanged', null],
    ['Zoho delete applied already, keep', 'keep', applied, 'z1', 'unchanged', null],
    ['deletion of a Zoho id no lead holds, delete', 'delete', {}, 'z404', 'unchanged', null],
    ['deletion of a Zoho id no lead holds, keep', 'keep', {}, 'z404', 'unchanged', null],
    // Times are not compared: a deletion older than the last change we merged is applied like any other.
    ['deletion older than the last remote change, delete', 'delete', changedLater, 'z1', 'delete', deleted()],
    ['deletion older than the last remote change, keep', 'keep', changedLater, 'z1', 'detach', detached()],
  ])('%s', (_case, policy, patch, zohoId, outcome, write) => {
    const l = lead(patch);
    const open = l.syncState === 'conflict' ? [{ leadId: 1, field: 'company' }] : [];
    const p = planRemoteDeletes([l], open, [{ zohoId, deletedAt: GONE }], { remoteDeletes: policy });
    expect(p.writes).toEqual(
      write
        ? [
            {
              id: 1,
              values: l.values,
              remoteModifiedAt: l.remoteModifiedAt,
              lastError: null,
              synced: true,
              syncState: 'synced',
              zohoDeletedAt: new Date(GONE),
              ...write,
            },
          ]
        : [],
    );
    expect(p.plan).toEqual(outcome === 'unchanged' ? [] : [{ action: outcome, leadId: 1, zohoId: 'z1' }]);
    expect(p.counts).toEqual({
      received: 1,
      deleted: outcome === 'delete' ? 1 : 0,
      detached: outcome === 'detach' ? 1 : 0,
      unchanged: outcome === 'unchanged' ? 1 : 0,
    });
    expect(p.superseded).toEqual(write ? open : []);
    expect(p.cursor).toBe(GONE);
  });
});

describe('planRemoteDeletes: a page', () => {
  it('counts each deletion once, closes only the written leads’ conflicts, and moves the cursor to the latest', () => {
    const p = planRemoteDeletes(
      [lead(), lead({ id: 2, zohoId: 'z2', zohoDeletedAt: new Date(T) })],
      [
        { leadId: 1, field: 'company' },
        { leadId: 2, field: 'phone' },
      ],
      [
        { zohoId: 'z1', deletedAt: GONE },
        { zohoId: 'z2', deletedAt: GONE + 5000 },
        { zohoId: 'z404', deletedAt: GONE - 5000 },
      ],
      { remoteDeletes: 'delete' },
    );
    expect(p.counts).toEqual({ received: 3, deleted: 1, detached: 0, unchanged: 2 });
    expect(p.writes.map((w) => w.id)).toEqual([1]);
    expect(p.superseded).toEqual([{ leadId: 1, field: 'company' }]);
    expect(p.cursor).toBe(GONE + 5000);
  });

  it('leaves the cursor alone for an empty page', () => {
    expect(planRemoteDeletes([], [], [], { remoteDeletes: 'keep' })).toEqual({
      writes: [],
      superseded: [],
      plan: [],
      counts: { received: 0, deleted: 0, detached: 0, unchanged: 0 },
      cursor: null,
    });
  });
});
