import { beforeAll, describe, expect, it } from 'vitest';
import { type leadHelpers, useLeadStack } from '../helpers/leads.js';
import type { TestStack } from '../helpers/stack.js';

const fixture = useLeadStack({ pull: true });
let stack: TestStack;
let h: ReturnType<typeof leadHelpers>;
beforeAll(() => {
  ({ stack, h } = fixture);
});

/** A lead of ours written straight into the table: no push is signalled, as after a crash or a lost answer. */
async function insertLocalLead(fields: {
  email: string;
  lastName: string;
  zohoId?: string;
  syncState?: string;
}): Promise<number> {
  const [row] = await stack.db.orm.em
    .fork()
    .getConnection()
    .execute<Array<{ id: string }>>(
      `insert into leads (connection_id, last_name, email, zoho_id, sync_state, base, local_changed_at, created_at, updated_at)
     values (?, ?, ?, ?, ?, ?, now(), now(), now()) returning id`,
      [
        stack.zohoId,
        fields.lastName,
        fields.email,
        fields.zohoId ?? null,
        fields.syncState ?? 'pending',
        fields.zohoId ? JSON.stringify({ lastName: fields.lastName, email: fields.email }) : null,
      ],
    );
  return Number(row!.id);
}

/** A lead someone typed into Zoho; our side has not pulled it. */
function zohoCreate(fields: Record<string, unknown>): string {
  return stack.sims.zoho.store.create('Leads', fields).id;
}

/** The ownership clashes GET /leads/conflicts lists. */
async function ownershipConflicts(): Promise<Array<{ leadId: number; code: string; reason: string }>> {
  const res = await h.call('GET', '/leads/conflicts?limit=200');
  expect(res.status).toBe(200);
  return (res.body.items as Array<{ kind: string; leadId: number; code: string; reason: string }>).filter(
    (i) => i.kind === 'ownership',
  );
}

const zohoWithEmail = async (email: string) =>
  (await h.zohoLeads()).filter((l) => String(l.Email).toLowerCase() === email.toLowerCase());

describe('ownership of Zoho ids and emails', () => {
  it('puts only the lead whose push answer names a Zoho id another lead holds in error; the other 99 sync and the run completes', async () => {
    // The Zoho id the next created lead will get is held by a stale local lead (the shape a reseeded CRM leaves).
    const next = String(BigInt(stack.sims.zoho.store.nextId()) + 1n);
    const holder = await insertLocalLead({
      email: 'stale.holder@example.com',
      lastName: 'Holder',
      zohoId: next,
      syncState: 'synced',
    });
    const ids: number[] = [];
    for (let i = 0; i < 100; i++) {
      const res = await h.call('POST', '/leads', {
        lastName: `Batch ${i}`,
        email: `batch.${i}@example.com`,
        company: 'Acme Corp',
      });
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    await h.pushed(120_000);
    const leads = await Promise.all(ids.map((id) => h.lead(id)));
    const errored = leads.filter((l) => l.syncState === 'error');
    expect(errored).toHaveLength(1);
    expect(errored[0]!.zohoId).toBeNull();
    expect(errored[0]!.lastError).toContain(`Zoho lead ${next} is already linked to local lead ${holder}`);
    expect(leads.filter((l) => l.syncState === 'synced' && l.zohoId)).toHaveLength(99);
    expect((await h.lead(holder)).zohoId).toBe(next);

    const run = await h.syncDone(`lead-push:${stack.zohoId}`);
    expect(run.status).toBe('completed');
    expect((run.result as { errors: number }).errors).toBeGreaterThanOrEqual(1);
    const events = (await h.call('GET', `/syncs/${encodeURIComponent(`lead-push:${stack.zohoId}`)}/events?limit=200`))
      .body.items as Array<{ code: string; details: { leadId?: number } }>;
    expect(events.some((e) => e.code === 'ZOHO_ID_TAKEN' && e.details.leadId === errored[0]!.id)).toBe(true);
    expect((await h.leads('&syncState=error')).map((l) => l.id)).toContain(errored[0]!.id);
    expect(await ownershipConflicts()).toContainEqual({
      kind: 'ownership',
      leadId: errored[0]!.id,
      connectionId: stack.zohoId,
      email: errored[0]!.email,
      zohoId: null,
      code: 'ZOHO_ID_TAKEN',
      reason: errored[0]!.lastError,
      detectedAt: expect.any(String),
    });
  });

  it('keeps a second Zoho lead with a taken email beside ours, in error with the reason, and the pull completes', async () => {
    const [owner] = (await h.leads()).filter((l) => l.zohoId && l.syncState === 'synced');
    const twin = zohoCreate({ Last_Name: 'Twin', Email: owner!.email!.toUpperCase(), Company: 'Globex' });
    const fine = zohoCreate({ Last_Name: 'Fine', Email: 'fine.newcomer@example.com', Company: 'Globex' });
    const counts = await h.pull();
    expect(counts.errors).toBe(1);
    const all = await h.leads();
    const newcomer = all.find((l) => l.zohoId === twin)!;
    expect(newcomer.syncState).toBe('error');
    expect(newcomer.lastError).toContain(`has the email ${owner!.email!.toLowerCase()} of local lead ${owner!.id}`);
    expect(all.find((l) => l.zohoId === fine)!.syncState).toBe('synced');
    expect((await h.lead(owner!.id)).syncState).toBe('synced');
    expect((await h.leads('&syncState=error')).map((l) => l.zohoId)).toContain(twin);
    const listed = (await ownershipConflicts()).find((c) => c.leadId === newcomer.id);
    expect(listed).toMatchObject({ code: 'DUPLICATE_EMAIL', zohoId: twin, reason: newcomer.lastError });

    // Merged in Zoho (the twin deleted): the newcomer goes with it.
    await h.zohoDelete(twin);
    await h.pull();
    expect((await h.leads('&syncState=error')).map((l) => l.zohoId)).not.toContain(twin);
    expect((await ownershipConflicts()).map((c) => c.leadId)).not.toContain(newcomer.id);
  });

  it('puts a lead whose Zoho email changes to one another local lead holds in error instead of failing the pull', async () => {
    const [a, b] = (await h.leads()).filter((l) => l.zohoId && l.syncState === 'synced');
    await h.zohoEdit(a!.zohoId!, { Email: b!.email, Phone: '+1 555 4242' });
    const counts = await h.pull();
    expect(counts.errors).toBe(1);
    const after = await h.lead(a!.id);
    expect(after.syncState).toBe('error');
    expect(after.lastError).toContain(`of local lead ${b!.id}`);
    expect((await h.lead(b!.id)).syncState).toBe('synced');
  });

  it('records a Zoho value our columns refuse as an item error and pulls the rest of the page', async () => {
    const tooLong = zohoCreate({ Last_Name: 'Long', Email: 'long.company@example.com', Company: 'C'.repeat(300) });
    const ok = zohoCreate({ Last_Name: 'Short', Email: 'short.company@example.com', Company: 'Initech' });
    const started = await h.call('POST', '/syncs/leads/pull', {});
    const run = await h.syncDone(started.body.workflowId, 120_000);
    expect(run.status).toBe('completed');
    expect((run.result as { errors: number }).errors).toBeGreaterThanOrEqual(1);
    const all = await h.leads();
    expect(all.find((l) => l.zohoId === tooLong)).toBeUndefined();
    expect(all.find((l) => l.zohoId === ok)?.syncState).toBe('synced');
    const events = (await h.call('GET', `/syncs/${encodeURIComponent(started.body.workflowId)}/events?limit=200`)).body
      .items as Array<{ code: string; message: string; details: { zohoId?: string } }>;
    const refused = events.find((e) => e.details.zohoId === tooLong);
    expect(refused?.code).toBe('REFUSED_BY_DATABASE');
    expect(refused?.message).toMatch(/too long/);
  });

  it('repairs a lost write-back on the next pull by linking on email, with no second lead in Zoho', async () => {
    // Zoho applied our upsert, then our transaction failed: Zoho has the lead, ours has no Zoho id.
    const email = 'lost.writeback@example.com';
    const zohoId = zohoCreate({ Last_Name: 'Lost', Email: email, Company: 'Acme Corp' });
    const local = await insertLocalLead({ email, lastName: 'Lost' });
    await h.pull();
    const lead = await h.lead(local);
    expect(lead.zohoId).toBe(zohoId);
    await h.pushed();
    expect(await zohoWithEmail(email)).toHaveLength(1);
    expect((await h.lead(local)).syncState).toBe('synced');
  });

  it('links a new local lead to the Zoho lead that already has its email and merges by policy instead of overwriting it', async () => {
    const email = 'already.in.zoho@example.com';
    const zohoId = zohoCreate({
      Last_Name: 'Zoho Name',
      First_Name: 'Zed',
      Email: email,
      Company: 'Umbrella Health',
      Phone: '+1 555 7777',
    });
    const before = await h.zohoStats();
    const res = await h.call('POST', '/leads', {
      lastName: 'Local Name',
      email: email.toUpperCase(),
      company: 'Local Co',
    });
    expect(res.status).toBe(201);
    await h.pushed();
    const lead = await h.lead(res.body.id);
    expect(lead.zohoId).toBe(zohoId);
    // crm-wins (the default): where both sides differ, Zoho's value stays and ours takes it.
    expect(lead).toMatchObject({
      lastName: 'Zoho Name',
      company: 'Umbrella Health',
      firstName: 'Zed',
      phone: '+1 555 7777',
      syncState: 'synced',
    });
    expect(await zohoWithEmail(email)).toHaveLength(1);
    expect(await h.zohoLead(zohoId)).toMatchObject({ Last_Name: 'Zoho Name', Company: 'Umbrella Health' });
    expect((await h.zohoStats()).writeCalls).toBe(before.writeCalls);
  });
});
