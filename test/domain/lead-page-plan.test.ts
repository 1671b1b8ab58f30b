import { describe, expect, it } from 'vitest';
import type { LeadValues } from '../../domain/lead-fields.js';
import { type LocalLead, planLeadPage, type RemoteLead } from '../../domain/lead-page-plan.js';
import { leadSyncOptions } from '../../domain/lead-policy.js';

const T = Date.UTC(2026, 11, 1, 12, 0, 0);
const values = (email: string | null, extra: Partial<LeadValues> = {}): LeadValues => ({
  firstName: null,
  lastName: 'L',
  email,
  phone: null,
  company: null,
  status: null,
  source: null,
  ...extra,
});
const local = (id: number, email: string | null, patch: Partial<LocalLead> = {}): LocalLead => ({
  id,
  zohoId: `z${id}`,
  values: values(email),
  base: values(email),
  syncState: 'synced',
  lastError: null,
  remoteModifiedAt: new Date(T - 60_000),
  localChangedAt: new Date(T - 60_000),
  deletedAt: null,
  ...patch,
});
const remote = (zohoId: string, email: string | null, extra: Partial<LeadValues> = {}, modifiedAt = T): RemoteLead => ({
  zohoId,
  values: values(email, extra),
  modifiedAt,
});
const plan = (leads: LocalLead[], page: RemoteLead[]) => planLeadPage(leads, [], page, leadSyncOptions({}));

describe('planLeadPage: ownership of Zoho ids and emails', () => {
  it('creates a lead for a Zoho lead nobody holds', () => {
    const p = plan([], [remote('z9', 'new@x.com')]);
    expect(p.creates).toMatchObject([{ zohoId: 'z9', syncState: 'synced', lastError: null }]);
    expect(p.counts).toMatchObject({ received: 1, created: 1, errors: 0 });
  });

  it('links a Zoho lead to the local lead without a Zoho id that has its email (a lost write-back)', () => {
    const p = plan(
      [local(1, 'A@x.com', { zohoId: null, base: null, syncState: 'pending' })],
      [remote('z9', 'a@x.com')],
    );
    expect(p.creates).toEqual([]);
    expect(p.writes).toMatchObject([{ id: 1, zohoId: 'z9', syncState: 'synced' }]);
    expect(p.counts.linked).toBe(1);
  });

  it("keeps a second Zoho lead with a linked lead's email as a new lead in error, naming the owner", () => {
    const p = plan([local(1, 'a@x.com')], [remote('z9', 'A@X.com')]);
    expect(p.creates).toMatchObject([{ zohoId: 'z9', syncState: 'error' }]);
    expect(p.creates[0]!.lastError).toContain('has the email a@x.com of local lead 1, which is linked to Zoho lead z1');
    expect(p.errors).toMatchObject([{ zohoId: 'z9', code: 'DUPLICATE_EMAIL' }]);
  });

  it('puts a lead in error when Zoho gives it an email another local lead holds, and names that lead', () => {
    const p = plan([local(1, 'a@x.com'), local(2, 'b@x.com')], [remote('z1', 'b@x.com')]);
    expect(p.writes).toMatchObject([{ id: 1, syncState: 'error' }]);
    expect(p.writes[0]!.lastError).toContain('of local lead 2');
    expect(p.errors).toMatchObject([{ zohoId: 'z1', leadId: 1 }]);
  });

  it('refuses the second of two Zoho leads in one page that share an email', () => {
    const p = plan([], [remote('z8', 'same@x.com'), remote('z9', 'same@x.com')]);
    expect(p.creates.map((c) => c.syncState)).toEqual(['synced', 'error']);
    expect(p.creates[1]!.lastError).toContain('which Zoho lead z8 also has');
  });

  it('does not count a lead in error as the owner of its email', () => {
    const p = plan([local(1, 'a@x.com', { syncState: 'error', zohoId: 'z1' })], [remote('z9', 'a@x.com')]);
    expect(p.creates).toMatchObject([{ zohoId: 'z9', syncState: 'synced' }]);
  });
});

describe('planLeadPage: what a record does to its lead', () => {
  it('skips a record older than what we last merged (an overlap re-read)', () => {
    const p = plan(
      [local(1, 'a@x.com', { remoteModifiedAt: new Date(T) })],
      [remote('z1', 'a@x.com', { phone: '2' }, T - 1000)],
    );
    expect(p.writes).toEqual([]);
    expect(p.counts.stale).toBe(1);
  });

  it('skips a lead deleted here', () => {
    const p = plan([local(1, 'a@x.com', { deletedAt: new Date(T) })], [remote('z1', 'a@x.com', { phone: '2' })]);
    expect(p.counts.skipped).toBe(1);
  });

  it('takes the latest of two versions of one record in a page', () => {
    const p = plan(
      [local(1, 'a@x.com')],
      [remote('z1', 'a@x.com', { phone: '3' }, T + 1000), remote('z1', 'a@x.com', { phone: '2' }, T)],
    );
    expect(p.writes).toMatchObject([{ id: 1, values: { phone: '3' } }]);
  });

  it('changes nothing when the record equals the base (our own write coming back)', () => {
    const p = plan([local(1, 'a@x.com')], [remote('z1', 'a@x.com')]);
    expect(p.writes).toEqual([]);
    expect(p.counts.unchanged).toBe(1);
  });

  it('keeps a lead in error when the record brings nothing new, and clears it when it does', () => {
    const stuck = local(1, 'a@x.com', { syncState: 'error', lastError: 'MANDATORY_NOT_FOUND' });
    expect(plan([stuck], [remote('z1', 'a@x.com')]).writes).toEqual([]);
    expect(plan([stuck], [remote('z1', 'a@x.com', { phone: '2' })]).writes).toMatchObject([
      { id: 1, syncState: 'synced', lastError: null },
    ]);
  });
});
