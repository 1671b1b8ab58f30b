import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, RateLimitedError, UnavailableError, ValidationError } from '../../connectors/errors.js';
import type { ZohoCrmClient } from '../../connectors/zoho-crm/zoho-crm.client.js';
import { zohoTimeToIso } from '../../connectors/zoho-crm/zoho-crm.mapper.js';
import type { RunningSimulators } from '../../simulators/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { pgTokenStore, zohoCrm, zohoTokens } from '../helpers/connectors.js';
import { adminPost, startTestSimulators } from '../helpers/simulators.js';

let sims: RunningSimulators;
let db: TestDb;
let crm: ZohoCrmClient;

beforeAll(async () => {
  db = await createTestDb();
  // 2,300 leads so paging crosses the 2,000-record reach of `page`.
  sims = await startTestSimulators({ SIM_SCALE_LEADS: 2300 });
  crm = zohoCrm(zohoTokens(sims, pgTokenStore(db.orm)));
});
afterAll(async () => {
  await sims?.close();
  await db?.close();
});

describe('Zoho CRM connector against the simulator (crm-apis.md §6 quirks)', () => {
  it('quirk 2: sends Zoho-oauthtoken and takes its base URL from api_domain', async () => {
    const page = await crm.listRecords('Leads', { fields: ['Last_Name'], perPage: 1 });
    expect(page.records).toHaveLength(1);
    const bearer = await fetch(`${sims.urls.zohoCrm}/crm/v8/Leads?fields=Last_Name`, {
      headers: { authorization: 'Bearer whatever' },
    });
    expect(bearer.status).toBe(401);
  });

  it('quirk 3: a list with no rows is an empty page (HTTP 204), not an error', async () => {
    const page = await crm.listRecords('Leads', { fields: ['Last_Name'], ids: ['1'] });
    expect(page).toMatchObject({ records: [], notModified: false });
  });

  it('quirk 3: If-Modified-Since with nothing newer is "not modified" (HTTP 304)', async () => {
    const page = await crm.listRecords('Leads', {
      fields: ['Last_Name'],
      modifiedSince: new Date(Date.now() + 60_000).toISOString(),
    });
    expect(page).toMatchObject({ records: [], notModified: true });
  });

  it('quirk 3: If-Modified-Since returns only records modified after the instant', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const [created] = await crm.insertRecords('Leads', [{ Last_Name: 'Fresh', Email: 'fresh.lead@example.com' }]);
    expect(created?.ok).toBe(true);
    const page = await crm.listRecords('Leads', {
      fields: ['Last_Name', 'Modified_Time'],
      modifiedSince: since,
      sortBy: 'Modified_Time',
      sortOrder: 'asc',
    });
    expect(page.records.map((r) => r.Last_Name)).toEqual(['Fresh']);
  });

  it('quirk 4: the simulator refuses a list without fields, and the connector never sends one', async () => {
    const token = (await zohoTokens(sims, pgTokenStore(db.orm)).getToken()).accessToken;
    const res = await fetch(`${sims.urls.zohoCrm}/crm/v8/Leads`, {
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'fields' } });
    await expect(crm.listRecords('Leads', { fields: [] })).rejects.toBeInstanceOf(ValidationError);
  });

  it('quirk 4: page stops at 2,000 records and page_token reads the rest', async () => {
    await expect(crm.listRecords('Leads', { fields: ['id'], page: 11, perPage: 200 })).rejects.toMatchObject({
      code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
    });
    const ids = new Set<string>();
    let page = await crm.listRecords('Leads', { fields: ['id'], page: 1, perPage: 200 });
    for (let i = 2; page.info?.more_records && i <= 10; i++) {
      page.records.forEach((r) => ids.add(r.id));
      page = await crm.listRecords('Leads', { fields: ['id'], page: i, perPage: 200 });
    }
    page.records.forEach((r) => ids.add(r.id));
    expect(ids.size).toBe(2000);
    let token = page.info?.next_page_token ?? undefined;
    expect(token).toEqual(expect.any(String));
    expect(token!.length).toBeGreaterThan(0);
    while (token) {
      const next = await crm.listRecords('Leads', { fields: ['id'], pageToken: token });
      next.records.forEach((r) => ids.add(r.id));
      token = next.info?.more_records ? (next.info.next_page_token ?? undefined) : undefined;
    }
    expect(ids.size).toBe(sims.zoho.store.records.get('Leads')!.size);
  });

  it('quirk 5: a batch with mixed results (207) yields one result per record', async () => {
    const results = await crm.insertRecords('Leads', [
      { Last_Name: 'Good', Email: 'good@example.com' },
      { First_Name: 'NoLastName' },
      { Last_Name: 'BadMail', Email: 'not-an-email' },
    ]);
    expect(results.map((r) => r.ok)).toEqual([true, false, false]);
    expect(results[1]).toMatchObject({ ok: false, code: 'MANDATORY_NOT_FOUND', details: { api_name: 'Last_Name' } });
    expect(results[2]).toMatchObject({ ok: false, code: 'INVALID_DATA', details: { api_name: 'Email' } });
  });

  it('quirk 5: a batch where every record fails (400 with data[]) is read as results, not thrown', async () => {
    const results = await crm.insertRecords('Leads', [{ First_Name: 'A' }, { First_Name: 'B' }]);
    expect(results.every((r) => !r.ok)).toBe(true);
  });

  it('upsert with duplicate_check_fields updates instead of inserting twice', async () => {
    const lead = { Last_Name: 'Upsert', Email: 'upsert.once@example.com', Company: 'One' };
    const [first] = await crm.upsertRecords('Leads', [lead], ['Email']);
    const [second] = await crm.upsertRecords('Leads', [{ ...lead, Company: 'Two' }], ['Email']);
    expect(first).toMatchObject({ ok: true, action: 'insert' });
    expect(second).toMatchObject({ ok: true, action: 'update' });
    if (!first?.ok || !second?.ok) throw new Error('unreachable');
    expect(second.id).toBe(first.id);
    const found = await crm.searchRecords('Leads', { email: 'upsert.once@example.com' });
    expect(found.records.map((r) => r.Company)).toEqual(['Two']);
  });

  it('refuses batches over 100 records before calling Zoho', async () => {
    await expect(
      crm.insertRecords(
        'Leads',
        Array.from({ length: 101 }, (_, i) => ({ Last_Name: `L${i}` })),
      ),
    ).rejects.toBeInstanceOf(ValidationError);
  });

  it('quirk 6: ids stay strings beyond JS safe integers; Modified_Time carries an offset; Size is a string', async () => {
    const page = await crm.listRecords('Deals', { fields: ['Deal_Name', 'Modified_Time'], perPage: 5 });
    const deal = page.records[0]!;
    expect(typeof deal.id).toBe('string');
    expect(BigInt(deal.id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(deal.Modified_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30$/);
    expect(zohoTimeToIso(String(deal.Modified_Time))).toMatch(/Z$/);
    const deals = (await crm.listRecords('Deals', { fields: ['Deal_Name'] })).records;
    const attachments = (await Promise.all(deals.map((d) => crm.listAttachments('Deals', d.id)))).flatMap(
      (p) => p.records,
    );
    expect(attachments.length).toBeGreaterThan(0);
    expect(attachments.every((a) => /^\d+$/.test(a.Size))).toBe(true);
  });

  it('downloads attachment bytes whose length matches the listed Size', async () => {
    const deal = (await crm.listRecords('Deals', { fields: ['Deal_Name'], sortBy: 'id', sortOrder: 'asc' }))
      .records[0]!;
    const [att] = (await crm.listAttachments('Deals', deal.id)).records;
    const res = await crm.downloadAttachment('Deals', deal.id, att!.id);
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.length).toBe(Number(att!.Size));
  });

  it('uploads an attachment as multipart and lists it on the record', async () => {
    const deal = (await crm.listRecords('Deals', { fields: ['Deal_Name'] })).records[0]!;
    const result = await crm.uploadAttachment('Deals', deal.id, {
      name: 'upload-test.txt',
      content: new Blob(['hello zoho']),
    });
    expect(result.ok).toBe(true);
    const names = (await crm.listAttachments('Deals', deal.id)).records.map((a) => a.File_Name);
    expect(names).toContain('upload-test.txt');
  });

  it('adds a note to a record and deletes records, which then appear in /deleted', async () => {
    const [lead] = await crm.insertRecords('Leads', [{ Last_Name: 'ToDelete', Email: 'to.delete@example.com' }]);
    if (!lead?.ok) throw new Error('insert failed');
    expect(await crm.addNote('Leads', lead.id, { title: 'Call', content: 'Left a message' })).toMatchObject({
      ok: true,
    });
    expect(await crm.deleteRecords('Leads', [lead.id])).toMatchObject([{ ok: true }]);
    const deleted = await crm.listDeleted('Leads');
    expect(deleted.records.map((d) => d.id)).toContain(lead.id);
  });

  it('search criteria find records and an empty search is an empty page', async () => {
    const hits = await crm.searchRecords('Leads', {
      criteria: '((Last_Name:equals:Fresh)and(Email:starts_with:fresh))',
    });
    expect(hits.records).toHaveLength(1);
    expect((await crm.searchRecords('Leads', { criteria: '(Last_Name:equals:Nobody-At-All)' })).records).toEqual([]);
  });

  it('turns a 429 into RateLimitedError carrying Retry-After', async () => {
    await adminPost(sims.urls.zohoCrm, '/__admin/faults', {
      kind: 'status',
      status: 429,
      retryAfterSec: 3,
      times: 1,
      pathPrefix: '/crm/v8/Accounts',
    });
    const err = await crm.listRecords('Accounts', { fields: ['Account_Name'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RateLimitedError);
    expect((err as RateLimitedError).retryAfterMs).toBe(3000);
  });

  it('turns a 5xx and a dropped connection into UnavailableError', async () => {
    await adminPost(sims.urls.zohoCrm, '/__admin/faults', {
      kind: 'status',
      status: 503,
      times: 1,
      pathPrefix: '/crm/v8/Accounts',
    });
    await expect(crm.listRecords('Accounts', { fields: ['Account_Name'] })).rejects.toBeInstanceOf(UnavailableError);
    await adminPost(sims.urls.zohoCrm, '/__admin/faults', { kind: 'drop', times: 1, pathPrefix: '/crm/v8/Accounts' });
    await expect(crm.listRecords('Accounts', { fields: ['Account_Name'] })).rejects.toBeInstanceOf(UnavailableError);
  });

  it('treats a garbage 200 body as an unavailable (retryable) invalid response, never a crash', async () => {
    await adminPost(sims.urls.zohoCrm, '/__admin/faults', {
      kind: 'status',
      status: 200,
      times: 1,
      pathPrefix: '/crm/v8/Contacts',
      body: { data: [{ id: 12345 }] },
    });
    const err = await crm.listRecords('Contacts', { fields: ['Last_Name'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect((err as UnavailableError).code).toBe('INVALID_RESPONSE');
  });

  it('after tokens expire early, refreshes once and retries the call', async () => {
    const before = sims.zoho.auth.mintCount;
    await adminPost(sims.urls.zohoAccounts, '/__admin/expire-tokens');
    const page = await crm.listRecords('Accounts', { fields: ['Account_Name'] });
    expect(page.records.length).toBeGreaterThan(0);
    expect(sims.zoho.auth.mintCount).toBe(before + 1);
  });

  it('many calls rejected with the same expired token cause one refresh, not one each', async () => {
    await crm.listRecords('Accounts', { fields: ['Account_Name'] });
    const before = sims.zoho.auth.mintCount;
    await adminPost(sims.urls.zohoAccounts, '/__admin/expire-tokens');
    const pages = await Promise.all(
      Array.from({ length: 8 }, () => crm.listRecords('Accounts', { fields: ['Account_Name'] })),
    );
    expect(pages.every((p) => p.records.length > 0)).toBe(true);
    expect(sims.zoho.auth.mintCount).toBe(before + 1);
  });

  it('gives up with AuthError when the refreshed token is rejected too', async () => {
    await adminPost(sims.urls.zohoCrm, '/__admin/faults', {
      kind: 'status',
      status: 401,
      times: 2,
      pathPrefix: '/crm/v8/Accounts',
    });
    await expect(crm.listRecords('Accounts', { fields: ['Account_Name'] })).rejects.toBeInstanceOf(AuthError);
  });
});

describe('COQL lookups', () => {
  it('finds records by a list of values longer than one `in` takes, quotes included, with one call per 50 values', async () => {
    const leads = (await crm.listRecords('Leads', { fields: ['Email'], perPage: 120 })).records;
    const emails = leads.map((l) => String(l.Email));
    sims.zoho.store.create('Leads', { Last_Name: "O'Brien", Email: "o'brien\\x@example.com" });
    const before = (await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { requests: number };
    const found = await crm.findByValues('Leads', ['Email', 'Last_Name'], 'Email', [
      ...emails,
      "o'brien\\x@example.com",
      'nobody@example.com',
    ]);
    const after = (await (await fetch(`${sims.urls.zohoCrm}/__admin/stats`)).json()) as { requests: number };
    expect(found.map((r) => r.Email).sort()).toEqual([...emails, "o'brien\\x@example.com"].sort());
    expect(after.requests - before.requests).toBe(Math.ceil((emails.length + 2) / 50));
  });

  it('answers a query past the documented limits with LIMIT_EXCEEDED, and bad syntax with SYNTAX_ERROR', async () => {
    const token = (await zohoTokens(sims, pgTokenStore(db.orm)).getToken()).accessToken;
    const coql = (q: string) =>
      fetch(`${sims.urls.zohoCrm}/crm/v8/coql`, {
        method: 'POST',
        headers: { authorization: `Zoho-oauthtoken ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ select_query: q }),
      });
    const fiftyOne = Array.from({ length: 51 }, (_, i) => `'v${i}'`).join(',');
    const tooMany = await coql(`select Email from Leads where Email in (${fiftyOne})`);
    expect(tooMany.status).toBe(400);
    expect(((await tooMany.json()) as { code: string }).code).toBe('LIMIT_EXCEEDED');
    const noWhere = await coql('select Email from Leads');
    expect(((await noWhere.json()) as { code: string }).code).toBe('SYNTAX_ERROR');
  });
});
