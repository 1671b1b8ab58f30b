import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LeadsRepository } from '../../db/repositories/leads.repository.js';
import { SyncCursorsRepository } from '../../db/repositories/sync-cursors.repository.js';
import { leadSyncOptions } from '../../domain/lead-policy.js';
import { type leadHelpers, useLeadStack } from '../helpers/leads.js';
import type { TestStack } from '../helpers/stack.js';

const fixture = useLeadStack({ pull: true });
let stack: TestStack;
let h: ReturnType<typeof leadHelpers>;
beforeAll(() => {
  ({ stack, h } = fixture);
});

const newLead = (tag: string, extra: Record<string, unknown> = {}) => ({
  firstName: 'Ada',
  lastName: `Test ${tag}`,
  email: `ada.${tag}@example.com`,
  phone: '+1 555 0100',
  company: 'Acme Corp',
  status: 'New',
  source: 'Web',
  ...extra,
});

async function created(tag: string, extra: Record<string, unknown> = {}) {
  const res = await h.call('POST', '/leads', newLead(tag, extra));
  expect(res.status).toBe(201);
  await h.pushed();
  return h.lead(res.body.id);
}

describe('lead pull', () => {
  it('brings every Zoho lead in with its Zoho id, synced', async () => {
    const zoho = await h.zohoLeads();
    const ours = await h.leads();
    expect(ours).toHaveLength(zoho.length);
    const byZoho = new Map(ours.map((l) => [l.zohoId, l]));
    for (const z of zoho)
      expect(byZoho.get(z.id)).toMatchObject({
        lastName: z.Last_Name,
        email: z.Email,
        company: z.Company,
        syncState: 'synced',
      });
  });

  it('brings a change made in Zoho into our lead', async () => {
    const [first] = await h.leads();
    await h.zohoEdit(first!.zohoId!, { Phone: '+1 555 9999' });
    const counts = await h.pull();
    expect(counts.updated).toBe(1);
    expect((await h.lead(first!.id)).phone).toBe('+1 555 9999');
  });
});

describe('lead push', () => {
  it('creates a local lead in Zoho with our values and stores its Zoho id', async () => {
    const lead = await created('create');
    expect(lead.syncState).toBe('synced');
    expect(lead.zohoId).toMatch(/^\d+$/);
    expect(await h.zohoLead(lead.zohoId!)).toMatchObject({
      First_Name: 'Ada',
      Last_Name: 'Test create',
      Email: 'ada.create@example.com',
      Company: 'Acme Corp',
      Lead_Status: 'New',
    });
  });

  it('sends a local update to Zoho', async () => {
    const lead = await created('update');
    expect((await h.call('PATCH', `/leads/${lead.id}`, { company: 'Globex', phone: null })).status).toBe(200);
    await h.pushed();
    expect(await h.zohoLead(lead.zohoId!)).toMatchObject({ Company: 'Globex', Phone: null });
    expect((await h.lead(lead.id)).syncState).toBe('synced');
  });

  it('deletes in Zoho a lead deleted here', async () => {
    const lead = await created('delete');
    expect((await h.call('DELETE', `/leads/${lead.id}`)).status).toBe(204);
    await h.pushed();
    expect(await h.zohoLead(lead.zohoId!)).toBeUndefined();
    expect((await h.lead(lead.id)).deletedAt).not.toBeNull();
  });
});

describe('field-level merge', () => {
  beforeAll(async () => {
    await h.policies({
      fieldPolicies: { firstName: 'crm-wins', company: 'local-wins', phone: 'newest-wins', status: 'manual' },
    });
  });
  afterAll(async () => {
    await h.policies({});
  });

  it('keeps both sides when they changed different fields', async () => {
    const lead = await created('both-sides');
    await h.zohoEdit(lead.zohoId!, { Lead_Source: 'Referral' });
    await h.call('PATCH', `/leads/${lead.id}`, { lastName: 'Both Sides Renamed' });
    await h.pushed();
    expect(await h.lead(lead.id)).toMatchObject({
      source: 'Referral',
      lastName: 'Both Sides Renamed',
      syncState: 'synced',
    });
    expect(await h.zohoLead(lead.zohoId!)).toMatchObject({ Lead_Source: 'Referral', Last_Name: 'Both Sides Renamed' });
  });

  it("crm-wins: Zoho's value stays when both changed a field", async () => {
    const lead = await created('crm-wins');
    await h.zohoEdit(lead.zohoId!, { First_Name: 'FromZoho' });
    await h.call('PATCH', `/leads/${lead.id}`, { firstName: 'FromUs' });
    await h.pushed();
    expect((await h.lead(lead.id)).firstName).toBe('FromZoho');
    expect((await h.zohoLead(lead.zohoId!))!.First_Name).toBe('FromZoho');
  });

  it('local-wins: our value goes to Zoho when both changed a field', async () => {
    const lead = await created('local-wins');
    await h.zohoEdit(lead.zohoId!, { Company: 'Zoho Co' });
    await h.call('PATCH', `/leads/${lead.id}`, { company: 'Our Co' });
    await h.pushed();
    expect((await h.lead(lead.id)).company).toBe('Our Co');
    expect((await h.zohoLead(lead.zohoId!))!.Company).toBe('Our Co');
  });

  it('newest-wins: the later edit wins, whichever side made it', async () => {
    const older = await created('newest-local');
    const zohoAt = Date.now() + 1000;
    await h.zohoEdit(older.zohoId!, { Phone: '+1 555 1111' }, zohoAt);
    // Zoho keeps whole seconds: our edit must come in a later second than the Zoho edit to be the newer one.
    await vi.waitFor(() => expect(Date.now()).toBeGreaterThan(zohoAt + 1000), { timeout: 5_000, interval: 50 });
    await h.call('PATCH', `/leads/${older.id}`, { phone: '+1 555 2222' });
    await h.pushed();
    expect((await h.lead(older.id)).phone).toBe('+1 555 2222');
    expect((await h.zohoLead(older.zohoId!))!.Phone).toBe('+1 555 2222');

    const newer = await created('newest-zoho');
    await h.zohoEdit(newer.zohoId!, { Phone: '+1 555 3333' }, Date.now() + 5000);
    await h.call('PATCH', `/leads/${newer.id}`, { phone: '+1 555 4444' });
    await h.pushed();
    expect((await h.lead(newer.id)).phone).toBe('+1 555 3333');
    expect((await h.zohoLead(newer.zohoId!))!.Phone).toBe('+1 555 3333');
  });

  it('manual: opens a conflict, holds the lead, and pushes the chosen value once resolved', async () => {
    const lead = await created('manual');
    await h.zohoEdit(lead.zohoId!, { Lead_Status: 'Contacted' });
    await h.call('PATCH', `/leads/${lead.id}`, { status: 'Qualified' });
    await h.pushed();
    const held = await h.lead(lead.id);
    expect(held).toMatchObject({ syncState: 'conflict', status: 'Qualified' });
    expect(held.conflicts).toEqual([
      expect.objectContaining({ field: 'status', localValue: 'Qualified', remoteValue: 'Contacted' }),
    ]);
    expect((await h.zohoLead(lead.zohoId!))!.Lead_Status).toBe('Contacted');
    const listed = (await h.call('GET', '/leads/conflicts')).body.items;
    expect(listed).toContainEqual(expect.objectContaining({ leadId: lead.id, field: 'status' }));
    expect((await h.call('POST', `/leads/${lead.id}/push`)).status).toBe(409);

    const resolved = await h.call('POST', `/leads/${lead.id}/conflicts/status/resolve`, { take: 'local' });
    expect(resolved.status).toBe(200);
    await h.pushed();
    expect(await h.lead(lead.id)).toMatchObject({ syncState: 'synced', status: 'Qualified', conflicts: [] });
    expect((await h.zohoLead(lead.zohoId!))!.Lead_Status).toBe('Qualified');
    expect(
      (await h.call('GET', '/leads/conflicts')).body.items.some((c: { leadId: number }) => c.leadId === lead.id),
    ).toBe(false);
  });

  it("manual: take crm keeps Zoho's value and writes nothing to Zoho", async () => {
    const lead = await created('manual-crm');
    await h.zohoEdit(lead.zohoId!, { Lead_Status: 'Lost Lead' });
    await h.call('PATCH', `/leads/${lead.id}`, { status: 'Qualified' });
    await h.pushed();
    const before = (await h.zohoStats()).writeCalls;
    const res = await h.call('POST', `/leads/${lead.id}/conflicts/status/resolve`, { take: 'crm' });
    expect(res.body).toMatchObject({ status: 'Lost Lead', syncState: 'synced' });
    await h.pushed();
    expect((await h.zohoStats()).writeCalls).toBe(before);
  });
});

describe('deletes, retries and echoes', () => {
  it('a lead deleted in Zoho is deleted here (policy delete)', async () => {
    const lead = await created('remote-delete');
    await h.zohoDelete(lead.zohoId!);
    const counts = await h.pull();
    expect(counts.deleted).toBe(1);
    expect((await h.lead(lead.id)).deletedAt).not.toBeNull();
    expect((await h.leads()).some((l) => l.id === lead.id)).toBe(false);
  });

  it('a lead deleted in Zoho is kept and unlinked (policy keep), and a later edit creates it again', async () => {
    await h.policies({ remoteDeletes: 'keep' });
    try {
      const lead = await created('remote-keep');
      await h.zohoDelete(lead.zohoId!);
      expect((await h.pull()).detached).toBe(1);
      expect(await h.lead(lead.id)).toMatchObject({ deletedAt: null, zohoId: null, syncState: 'synced' });
      await h.call('PATCH', `/leads/${lead.id}`, { company: 'Back Again' });
      await h.pushed();
      const again = await h.lead(lead.id);
      expect(again.zohoId).not.toBe(lead.zohoId);
      expect(await h.zohoLead(again.zohoId!)).toMatchObject({
        Email: 'ada.remote-keep@example.com',
        Company: 'Back Again',
      });
    } finally {
      await h.policies({});
    }
  });

  it('a local delete stays out of Zoho with policy ignore', async () => {
    await h.policies({ localDeletes: 'ignore' });
    try {
      const lead = await created('local-ignore');
      await h.call('DELETE', `/leads/${lead.id}`);
      await h.pushed();
      expect(await h.zohoLead(lead.zohoId!)).toMatchObject({ id: lead.zohoId, Email: 'ada.local-ignore@example.com' });
      expect((await h.lead(lead.id)).syncState).toBe('synced');
    } finally {
      await h.policies({});
    }
  });

  it('an upsert whose answer is lost after Zoho applied it is retried without a second Zoho lead', async () => {
    await h.zohoFault({ kind: 'drop-after', method: 'POST', pathPrefix: '/crm/v8/Leads/upsert', times: 1 });
    const before = (await h.zohoStats()).recordsWritten;
    const lead = await created('lost-answer');
    expect(lead.syncState).toBe('synced');
    const inZoho = (await h.zohoLeads()).filter((l) => String(l.Email).toLowerCase() === 'ada.lost-answer@example.com');
    expect(inZoho).toHaveLength(1);
    expect(inZoho[0]!.id).toBe(lead.zohoId);
    // One upsert reached Zoho (the lost one): the retry looked the email up first, found that lead and linked it.
    expect((await h.zohoStats()).recordsWritten - before).toBe(1);
  });

  it("a lead Zoho rejects is marked error with Zoho's code while the rest of its batch goes through", async () => {
    // The org's layout makes Company mandatory for new leads (Zoho's standard layout does).
    await fetch(`${stack.sims.urls.zohoCrm}/__admin/layouts/Leads/mandatory`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fields: ['Last_Name', 'Company'] }),
    });
    try {
      await h.policies({});
      const bad = await stack.db.orm.em
        .fork()
        .getConnection()
        .execute<Array<{ id: string }>>(
          "insert into leads (connection_id, last_name, email, sync_state, local_changed_at, created_at, updated_at) values (?, 'NoCompany', 'no.company@example.com', 'pending', now(), now(), now()) returning id",
          [stack.zohoId],
        );
      const good = await h.call('POST', '/leads', newLead('with-company'));
      await h.pushed();
      const failed = await h.lead(Number(bad[0]!.id));
      expect(failed.syncState).toBe('error');
      expect(failed.lastError).toMatch(/^MANDATORY_NOT_FOUND: .*Company/);
      expect(failed.zohoId).toBeNull();
      expect((await h.lead(good.body.id)).syncState).toBe('synced');
      // Fixed here, pushed again.
      await h.call('PATCH', `/leads/${failed.id}`, { company: 'Now Set' });
      await h.pushed();
      expect(await h.lead(failed.id)).toMatchObject({ syncState: 'synced', lastError: null });
    } finally {
      await fetch(`${stack.sims.urls.zohoCrm}/__admin/layouts/Leads/mandatory`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ fields: ['Last_Name'] }),
      });
    }
  });

  it('after convergence, ten pull/push cycles write nothing to Zoho and change no local lead', async () => {
    await h.pull();
    await h.pushed();
    const writes = (await h.zohoStats()).writeCalls;
    const snapshot = JSON.stringify(await h.leads('&includeDeleted=true'));
    for (let i = 0; i < 10; i++) {
      const counts = await h.pull();
      expect(counts.updated + counts.created + counts.conflicts + counts.deleted).toBe(0);
      const push = await h.call('POST', '/syncs/leads/push', {});
      expect(push.status).toBe(202);
      await h.syncDone(push.body.workflowId);
    }
    expect((await h.zohoStats()).writeCalls).toBe(writes);
    expect(JSON.stringify(await h.leads('&includeDeleted=true'))).toBe(snapshot);
  });
});

describe('safety net and dry runs', () => {
  const repo = () => new LeadsRepository(stack.db.orm.em.fork());

  it('a local edit whose push signal was lost is merged by the next pull and pushed by it', async () => {
    const lead = await created('missed-signal');
    // Written as the API would, but no signal reaches Temporal (as when it is down).
    await repo().update(lead.id, { phone: '+1 555 7777' }, leadSyncOptions({}));
    await h.zohoEdit(lead.zohoId!, { Company: 'Changed In Zoho' });
    const counts = await h.pull();
    expect(counts).toMatchObject({ updated: 1, pendingPush: 1 });
    await h.pushed();
    expect(await h.lead(lead.id)).toMatchObject({
      phone: '+1 555 7777',
      company: 'Changed In Zoho',
      syncState: 'synced',
    });
    expect(await h.zohoLead(lead.zohoId!)).toMatchObject({ Phone: '+1 555 7777', Company: 'Changed In Zoho' });
  });

  it('a dry-run pull reports creates, field updates and deletes, and writes nothing', async () => {
    const [a, b] = (await h.leads()).slice(0, 2);
    await h.zohoEdit(a!.zohoId!, { Phone: '+1 555 4242', Lead_Source: 'Dry' });
    await h.zohoDelete(b!.zohoId!);
    const before = JSON.stringify(await h.leads('&includeDeleted=true'));
    const cursor = await new SyncCursorsRepository(stack.db.orm.em.fork()).get(stack.zohoId, 'leads');
    const started = await h.call('POST', '/syncs/leads/pull', { dryRun: true });
    expect(started.body.workflowId).toBe(`lead-pull:${stack.zohoId}:dry-run`);
    const done = await h.syncDone(started.body.workflowId);
    expect(done.result).toMatchObject({ dryRun: true, updated: 1, deleted: 1 });
    expect(JSON.stringify(await h.leads('&includeDeleted=true'))).toBe(before);
    expect(await new SyncCursorsRepository(stack.db.orm.em.fork()).get(stack.zohoId, 'leads')).toBe(cursor);
    const events = (await h.call('GET', `/syncs/${encodeURIComponent(started.body.workflowId)}/events?limit=200`)).body
      .items as Array<{ code: string; details: Record<string, unknown> }>;
    const update = events.find((e) => e.code === 'dry-run:update');
    expect(update?.details).toMatchObject({
      leadId: a!.id,
      fields: expect.arrayContaining([
        { field: 'phone', from: a!.phone, to: '+1 555 4242' },
        { field: 'source', from: a!.source, to: 'Dry' },
      ]),
    });
    expect(events.find((e) => e.code === 'dry-run:delete')?.details).toMatchObject({ leadId: b!.id });
    const real = await h.pull();
    expect(real).toMatchObject({ updated: 1, deleted: 1 });
  });

  it('a dry-run push reports what it would send and writes nothing to Zoho or to the lead', async () => {
    const lead = await created('dry-push');
    await repo().update(lead.id, { company: 'Dry Run Co' }, leadSyncOptions({}));
    const writes = (await h.zohoStats()).writeCalls;
    const started = await h.call('POST', '/syncs/leads/push', { dryRun: true });
    expect(started.status).toBe(202);
    const done = await h.syncDone(started.body.workflowId);
    expect(done.result).toMatchObject({ dryRun: true, updated: 1, created: 0 });
    expect((await h.zohoStats()).writeCalls).toBe(writes);
    expect((await h.lead(lead.id)).syncState).toBe('pending');
    const events = (await h.call('GET', `/syncs/${encodeURIComponent(started.body.workflowId)}/events`)).body
      .items as Array<{ code: string; details: Record<string, unknown> }>;
    expect(events).toContainEqual(
      expect.objectContaining({
        code: 'dry-run:push-update',
        details: expect.objectContaining({
          leadId: lead.id,
          fields: [{ field: 'company', from: 'Acme Corp', to: 'Dry Run Co' }],
        }),
      }),
    );
    expect((await h.call('POST', `/leads/${lead.id}/push`)).status).toBe(202);
    await h.pushed();
    expect((await h.zohoLead(lead.zohoId!))!.Company).toBe('Dry Run Co');
  });
});

describe('leads API', () => {
  it('rejects an invalid email, a missing last name and unknown fields with 400 and a message', async () => {
    const bad = await h.call('POST', '/leads', { lastName: 'X', email: 'not-an-email' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/email/);
    expect((await h.call('POST', '/leads', { email: 'no.last@example.com' })).status).toBe(400);
    const unknown = await h.call('POST', '/leads', { lastName: 'X', email: 'x@example.com', favouriteColour: 'blue' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/favouriteColour/);
    expect((await h.call('PATCH', '/leads/1', { nickname: 'x' })).status).toBe(400);
    expect((await h.call('PATCH', '/leads/1', { lastName: '' })).status).toBe(400);
  });

  it('answers 409 for an email another lead has, whatever its case', async () => {
    await created('dupe');
    const res = await h.call('POST', '/leads', newLead('other', { email: 'ADA.DUPE@example.com' }));
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/already exists/);
  });

  it('filters by sync state, status, text and update time, in pages', async () => {
    const lead = await created('filters', { status: 'Filterable', company: 'Needle Industries' });
    expect((await h.leads('&status=Filterable')).map((l) => l.id)).toEqual([lead.id]);
    expect((await h.leads('&q=needle')).map((l) => l.id)).toEqual([lead.id]);
    expect((await h.leads('&syncState=synced')).map((l) => l.id)).toContain(lead.id);
    expect((await h.leads('&syncState=pending')).map((l) => l.id)).not.toContain(lead.id);
    expect((await h.leads(`&updatedSince=${encodeURIComponent(lead.updatedAt)}`)).map((l) => l.id)).toContain(lead.id);
    const page = await h.call('GET', '/leads?limit=2');
    expect(page.body.items).toHaveLength(2);
    const next = await h.call('GET', `/leads?limit=2&cursor=${page.body.nextCursor}`);
    expect(next.body.items[0].id).toBeGreaterThan(page.body.items[1].id);
    expect((await h.call('GET', '/leads?syncState=bogus')).status).toBe(400);
    expect((await h.call('GET', '/leads/999999')).status).toBe(404);
  });
});
