import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers/api.js';
import { leadHelpers } from '../helpers/leads.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let app: FastifyInstance;
let h: ReturnType<typeof leadHelpers>;

beforeAll(async () => {
  stack = await startTestStack();
  app = await testApp(stack.db, stack.temporal, stack.content);
  h = leadHelpers(app, stack);
  await h.pull();
});
afterAll(async () => { await app?.close(); await stack?.close(); });

const newLead = (tag: string, extra: Record<string, unknown> = {}) => ({ firstName: 'Ada', lastName: `Test ${tag}`, email: `ada.${tag}@example.com`, phone: '+1 555 0100', company: 'Acme Corp', status: 'New', source: 'Web', ...extra });

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
    for (const z of zoho) expect(byZoho.get(z.id)).toMatchObject({ lastName: z.Last_Name, email: z.Email, company: z.Company, syncState: 'synced' });
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
    expect(await h.zohoLead(lead.zohoId!)).toMatchObject({ First_Name: 'Ada', Last_Name: 'Test create', Email: 'ada.create@example.com', Company: 'Acme Corp', Lead_Status: 'New' });
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
