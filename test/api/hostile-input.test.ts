import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerErrorHandler } from '../../api/error-handler.js';
import { registerTextGuard } from '../../api/text-guard.js';
import { FILE_SORTS } from '../../db/repositories/files-query.repository.js';
import { upsertConflicts } from '../../db/repositories/lead-conflicts.repository.js';
import { auth, testApp } from '../helpers/api.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';

let stack: TestStack;
let app: FastifyInstance;

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const jsonCursor = (o: unknown) => b64(JSON.stringify(o));
const sql = <T extends Array<Record<string, unknown>> = Array<Record<string, unknown>>>(
  query: string,
  params: unknown[] = [],
) => stack.db.orm.em.fork().getConnection().execute<T>(query, params);
const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
const count = async (table: string) =>
  Number((await sql<Array<{ n: string }>>(`select count(*) as n from ${table}`))[0]!.n);

async function expect400(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  const res = await call(method, url, payload);
  expect(res.statusCode, `${method} ${url} ${JSON.stringify(payload) ?? ''}: ${res.body}`).toBe(400);
  return res.json().error;
}
const fieldsOf = (e: { details: Record<string, unknown> }) =>
  (e.details.fields as Array<{ field: string }>).map((f) => f.field);

beforeAll(async () => {
  stack = await startTestStack();
  app = await testApp(stack.db, stack.temporal, stack.content);
  const { zohoId: zo, hubspotId: hs } = stack;
  // Leads 16 and 1000 are what `0x10` and `1e3` used to reach.
  for (const [id, last] of [
    [1, 'One'],
    [16, 'Sixteen'],
    [1000, 'Thousand'],
  ] as const) {
    await sql(
      `insert into leads (id, connection_id, first_name, last_name, email, sync_state, local_changed_at, created_at, updated_at)
               values (?, ?, 'Test', ?, ?, 'synced', now(), now(), now())`,
      [id, zo, last, `lead${id}@example.com`],
    );
  }
  await sql("select setval('leads_id_seq', 5000)");
  await upsertConflicts(
    stack.db.orm.em.fork(),
    (['email', 'lastName', 'company', 'status', 'phone'] as const).map((field) => ({
      leadId: 1,
      field,
      local: 'local',
      remote: field === 'email' ? 'zoho@example.com' : 'zoho',
      base: null,
      remoteModifiedAt: new Date(),
    })),
  );
  for (const [id, name, size, created] of [
    [1, 'alpha.pdf', 100, '2026-01-01 10:00:00.123456+00'],
    [2, 'beta.pdf', null, null],
    [3, 'gamma.pdf', 300, '2026-01-01 10:00:00.123457+00'],
  ] as const) {
    await sql(
      `insert into file_metadata (id, connection_id, provider, external_file_id, deal_external_id, name, extension, size, crm_created_at, crm_modified_at, first_seen_at, updated_at)
               values (?, ?, 'hubspot', ?, 'D1', ?, 'pdf', ?, ?, ?, now(), now())`,
      [id, hs, `f${id}`, name, size, created, created],
    );
  }
  await sql("select setval('file_metadata_id_seq', 5000)");
  await sql(
    `insert into deals (id, connection_id, provider, external_id, name, first_seen_at, updated_at) values (1, ?, 'hubspot', 'D1', 'Deal', now(), now()), (2, ?, 'hubspot', 'D2', 'Deal 2', now(), now())`,
    [hs, hs],
  );
  await sql(
    `insert into sync_runs (workflow_id, run_id, kind, connection_id, status, counts, started_at) values ('wf-hostile', 'run-hostile', 'file-sync', ?, 'completed', '{}', now())`,
    [hs],
  );
  await sql(
    `insert into sync_events (run_id, workflow_id, level, code, message, occurred_at) values ('run-hostile', 'wf-hostile', 'error', 'X', 'one', now()), ('run-hostile', 'wf-hostile', 'error', 'X', 'two', now())`,
  );
});
afterAll(async () => {
  await app?.close();
  await stack?.close();
});

describe('NUL characters', () => {
  it('answers a NUL in a path id, a query filter or a body field with a 400 naming the field', async () => {
    const cases: Array<[method: 'GET' | 'POST' | 'PATCH', url: string, field: string, payload?: unknown]> = [
      ['GET', '/connections/a%00b', 'params.id'],
      ['POST', '/connections/%00/check', 'params.id'],
      ['GET', '/syncs/wf%00/events', 'params.workflowId'],
      ['GET', '/syncs/%00', 'params.workflowId'],
      ['GET', '/schedules/x%00', 'params.id'],
      ...['q', 'connectionId', 'extension', 'mimeType', 'dealId', 'cursor'].map(
        (k) => ['GET', `/files?${k}=a%00`, `querystring.${k}`] as ['GET', string, string],
      ),
      ...['q', 'connectionId', 'status', 'cursor'].map(
        (k) => ['GET', `/leads?${k}=%00`, `querystring.${k}`] as ['GET', string, string],
      ),
      ['GET', '/syncs?kind=%00', 'querystring.kind'],
      ['GET', '/deals?connectionId=x%00', 'querystring.connectionId'],
      ['POST', '/leads', 'body.lastName', { lastName: 'Null\u0000', email: 'nul@example.com' }],
      ['PATCH', '/leads/1', 'body.company', { company: 'Acme\u0000' }],
      ['POST', '/syncs/files', 'body.dealIds.0', { connectionId: 'hs', dealIds: ['D\u00001'] }],
      ['POST', '/syncs/leads/pull', 'body.connectionId', { connectionId: '\u0000' }],
      ['POST', '/schedules', 'body.note', { id: 'nul-note', kind: 'file-sync-all', every: '1h', note: 'a\u0000' }],
      ['POST', '/leads/1/conflicts/company/resolve', 'body.value', { take: 'value', value: 'Acme\u0000' }],
    ];
    for (const [method, url, field, payload] of cases) {
      const error = await expect400(method, url, payload);
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(fieldsOf(error), url).toContain(field);
      expect(error.message).toContain('NUL');
    }
  });

  it('stores nothing from a body that carries a NUL', async () => {
    const before = await count('leads');
    await expect400('POST', '/leads', { lastName: 'Nul', email: 'nul@example.com', company: '\u0000' });
    expect(await count('leads')).toBe(before);
    expect((await call('GET', '/leads/1')).json().company).toBeNull();
  });

  it('stops a NUL or a lone surrogate that reaches a route without a schema before its handler runs', async () => {
    const bare = Fastify();
    registerErrorHandler(bare);
    registerTextGuard(bare);
    let ran = false;
    bare.post('/bare/:id', async () => {
      ran = true;
      return {};
    });
    try {
      const deep = await bare.inject({
        method: 'POST',
        url: '/bare/1',
        payload: { a: [{ b: 'ok' }, { c: 'x\u0000' }] },
      });
      expect(deep.statusCode).toBe(400);
      expect(deep.json().error).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: { fields: [{ field: 'body.a.1.c', message: 'must not contain a NUL character' }] },
      });
      expect(
        (await bare.inject({ method: 'POST', url: '/bare/%00', payload: {} })).json().error.details.fields[0].field,
      ).toBe('params.id');
      expect(
        (await bare.inject({ method: 'POST', url: '/bare/1?x%00=1', payload: {} })).json().error.details.fields[0]
          .field,
      ).toBe('querystring.x\u0000');
      expect(
        (
          await bare.inject({
            method: 'POST',
            url: '/bare/1',
            payload: '{"a":"\\ud800"}',
            headers: { 'content-type': 'application/json' },
          })
        ).json().error.details.fields[0],
      ).toEqual({ field: 'body.a', message: expect.stringContaining('lone surrogate') });
      expect(ran).toBe(false);
      expect((await bare.inject({ method: 'POST', url: '/bare/1', payload: { a: 'fine' } })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('timestamps', () => {
  it('answers year 0000 and an offset that crosses 9999 with a 400 naming the field', async () => {
    for (const [path, key] of [
      ['/files', 'createdFrom'],
      ['/files', 'createdTo'],
      ['/files', 'modifiedFrom'],
      ['/files', 'modifiedTo'],
      ['/leads', 'updatedSince'],
    ]) {
      for (const value of ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59-14:00', '0000-12-31T23:59:59+01:00']) {
        const error = await expect400('GET', `${path}?${key}=${encodeURIComponent(value)}`);
        expect(fieldsOf(error)).toEqual([`querystring.${key}`]);
      }
    }
  });

  it('accepts the first and last instants of years 0001 to 9999', async () => {
    for (const value of [
      '0001-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999Z',
      '0001-01-01T14:00:00+14:00',
      '9999-12-31T09:59:59-14:00',
    ]) {
      expect((await call('GET', `/files?createdFrom=${encodeURIComponent(value)}`)).statusCode, value).toBe(200);
      expect((await call('GET', `/leads?updatedSince=${encodeURIComponent(value)}`)).statusCode, value).toBe(200);
    }
  });
});

describe('cursors', () => {
  it('pages through every file sort with the cursors it issued (microsecond timestamps included)', async () => {
    for (const sort of FILE_SORTS) {
      const ids: number[] = [];
      let cursor: string | null = null;
      do {
        const res = await call('GET', `/files?limit=1&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        expect(res.statusCode, `${sort}: ${res.body}`).toBe(200);
        ids.push(...res.json().items.map((f: { id: number }) => f.id));
        cursor = res.json().nextCursor;
      } while (cursor);
      expect(ids.sort(), sort).toEqual([1, 2, 3]);
    }
  });

  it('answers 400 for a file cursor whose value does not fit the sort or whose id is no bigint', async () => {
    const cases: Array<[sort: string, cursor: string]> = [
      ['name', jsonCursor({ v: 1, id: 1 })],
      ['name', jsonCursor({ v: 'a\u0000', id: 1 })],
      ['name', jsonCursor({ v: 'a', id: '1' })],
      ['size', jsonCursor({ v: 'abc', id: 1 })],
      ['-size', jsonCursor({ v: '9'.repeat(30), id: 1 })],
      ['size', b64('{"v":1e999,"id":1}')],
      ['size', jsonCursor({ v: 1.5, id: 1 })],
      ['id', jsonCursor({ v: '1', id: 1e30 })],
      ['id', b64('{"v":"1","id":99999999999999999999}')],
      ['createdAt', jsonCursor({ v: 'yesterday', id: 1 })],
      ['createdAt', jsonCursor({ v: '0000-01-01 00:00:00+00', id: 1 })],
      ['-modifiedAt', jsonCursor({ v: '2026-02-30 00:00:00+00', id: 1 })],
      ['modifiedAt', jsonCursor({ v: 5, id: 1 })],
      ['createdAt', jsonCursor({ v: 'infinity', id: 1 })],
      ['name', jsonCursor({ v: 'a', id: -1 })],
      ['name', jsonCursor(null)],
      ['name', jsonCursor([1, 2])],
      ['name', 'not-base64-json!'],
      ['name', b64('{"v":')],
    ];
    for (const [sort, cursor] of cases) {
      const error = await expect400('GET', `/files?sort=${sort}&cursor=${encodeURIComponent(cursor)}`);
      expect(error).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'cursor' } });
    }
  });

  it('answers 400 for id cursors beyond a safe integer, in another notation, or issued by another list', async () => {
    const lists: Array<[url: string, kind: string]> = [
      ['/leads?', 'lead'],
      ['/leads/conflicts?', 'conflict'],
      ['/syncs?', 'run'],
      ['/syncs/wf-hostile/events?', 'event'],
      ['/deals?', 'deal'],
    ];
    for (const [url, kind] of lists) {
      for (const raw of [
        `${kind}:99999999999999999999`,
        `${kind}:9007199254740992`,
        `${kind}:1e3`,
        `${kind}:0x10`,
        `${kind}: 1`,
        `${kind}:-1`,
        `${kind}:0`,
        'other:1',
        `${kind}:1\u0000`,
      ]) {
        const error = await expect400('GET', `${url}cursor=${b64(raw)}`);
        expect(error).toMatchObject({ code: 'BAD_REQUEST', details: { field: 'cursor' } });
      }
      expect((await call('GET', `${url}cursor=${b64(`${kind}:1`)}`)).statusCode, url).toBe(200);
    }
  });
});

describe('resolving a conflict with a value of its own', () => {
  it("applies the field's own rules and leaves the conflict open when they fail", async () => {
    const cases: Array<[field: string, value: unknown, message: string]> = [
      ['email', 'not-an-email', 'valid email'],
      ['email', null, 'valid email'],
      ['lastName', '', 'last name is required'],
      ['lastName', '   ', 'last name is required'],
      ['lastName', null, 'expected string'],
      ['company', 'c'.repeat(256), '255'],
      ['status', 's'.repeat(129), '128'],
      ['phone', '1'.repeat(65), '64'],
    ];
    for (const [field, value, message] of cases) {
      const error = await expect400('POST', `/leads/1/conflicts/${field}/resolve`, { take: 'value', value });
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(fieldsOf(error)).toEqual(['value']);
      expect(error.message).toContain(message);
    }
    const lead = (await call('GET', '/leads/1')).json();
    expect(lead).toMatchObject({ email: 'lead1@example.com', lastName: 'One', company: null });
    expect(lead.conflicts.map((c: { field: string }) => c.field).sort()).toEqual([
      'company',
      'email',
      'lastName',
      'phone',
      'status',
    ]);
  });

  it('stores a value that meets the rules, trimmed, and closes that conflict', async () => {
    const res = await call('POST', '/leads/1/conflicts/company/resolve', { take: 'value', value: '  Acme Ltd  ' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().company).toBe('Acme Ltd');
    expect(res.json().conflicts.map((c: { field: string }) => c.field)).not.toContain('company');
    const email = await call('POST', '/leads/1/conflicts/email/resolve', { take: 'value', value: 'one@example.org' });
    expect(email.json().email).toBe('one@example.org');
  });
});

describe('numeric ids', () => {
  it('accepts plain digits only, so DELETE /leads/1e3 deletes nothing', async () => {
    for (const id of [
      '1e3',
      '0x10',
      '%201%20',
      '-1',
      '0',
      '1.0',
      '+1',
      '9007199254740992',
      '99999999999999999999',
      '1%00',
      'Infinity',
    ]) {
      const error = await expect400('DELETE', `/leads/${id}`);
      expect(fieldsOf(error)).toEqual(['params.id']);
      for (const url of [
        `/leads/${id}`,
        `/files/${id}`,
        `/deals/${id}/files`,
        `/leads/${id}/conflicts/email/resolve`,
      ]) {
        expect(
          (
            await call(
              url.endsWith('resolve') ? 'POST' : 'GET',
              url,
              url.endsWith('resolve') ? { take: 'local' } : undefined,
            )
          ).statusCode,
          url,
        ).toBe(400);
      }
    }
    for (const id of [1, 16, 1000]) expect((await call('GET', `/leads/${id}`)).json().deletedAt, String(id)).toBeNull();
  });

  it('reads limit and sizes as plain digits within range', async () => {
    for (const q of [
      'limit=1e2',
      'limit=0x10',
      'limit=%205',
      'minSize=1e20',
      'minSize=',
      'maxSize=99999999999999999999',
      'maxSize=-1',
    ]) {
      expect((await call('GET', `/files?${q}`)).statusCode, q).toBe(400);
    }
    expect((await call('GET', '/files?limit=2&minSize=0&maxSize=9007199254740991')).json().items).toHaveLength(2);
  });
});

describe('schedules', () => {
  it('answers timing Temporal cannot use with a 400, and creates nothing', async () => {
    const bodies = [
      { every: '0s' },
      { every: '99999999999999999999d' },
      { every: `${'9'.repeat(400)}s` },
      { cron: '99 99 99 99 99' },
      { cron: '* * * * * * * * *' },
      { every: '1h', timezone: 'Not/AZone' },
      { every: '1h', timezone: '\ud800' },
      { cron: '0 0 * * *\ud800' },
      { every: '1h', timezone: ' ' },
      { every: '1h', timezone: 'UTC ' },
      { every: '1h', timezone: '../../etc/passwd' },
      { every: '1h', timezone: 'x'.repeat(64) },
    ];
    for (const timing of bodies) {
      const res = await call('POST', '/schedules', { id: 'hostile-timing', kind: 'file-sync-all', ...timing });
      expect(res.statusCode, `${JSON.stringify(timing)}: ${res.body}`).toBe(400);
    }
    expect((await call('GET', '/schedules/hostile-timing')).statusCode).toBe(404);
  });
});

describe('malformed URLs', () => {
  it('answers a malformed percent-escape or an over-long path parameter in the one error shape', async () => {
    for (const [url, status, code] of [
      ['/leads/%zz', 400, 'FST_ERR_BAD_URL'],
      ['/connections/%', 400, 'FST_ERR_BAD_URL'],
      [`/schedules/${'x'.repeat(1000)}`, 414, 'FST_ERR_MAX_PARAM_LENGTH'],
    ] as const) {
      const res = await call('GET', url);
      expect(res.statusCode, url).toBe(status);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String), details: {} } });
    }
  });
});

describe('database errors that get past the schemas', () => {
  it('are a 400 (data exceptions) or a 409 (unique violations) without the SQL or its values', async () => {
    const bare = Fastify();
    registerErrorHandler(bare);
    const run = (q: string, params: unknown[] = []) => stack.db.orm.em.fork().getConnection().execute(q, params);
    bare.get('/int', async () => run('select ?::int as x', ['not-a-number-secret']));
    bare.get('/date', async () => run('select ?::timestamptz as x', ['0000-01-01 00:00:00+00']));
    bare.get('/bytes', async () => run("select convert_from('\\x00'::bytea, 'UTF8') as x"));
    bare.get('/wrapped', async () => {
      await run('select ?::bigint as x', ['99999999999999999999']).catch((cause: unknown) => {
        throw new Error('wrapped', { cause });
      });
    });
    bare.get('/unique', async () =>
      run(`insert into crm_connections select * from crm_connections where id = ?`, [stack.hubspotId]),
    );
    try {
      for (const [url, state] of [
        ['/int', '22P02'],
        ['/date', '22008'],
        ['/bytes', '22021'],
        ['/wrapped', '22003'],
      ]) {
        const res = await bare.inject({ url });
        expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
        expect(res.json()).toEqual({
          error: { code: 'BAD_REQUEST', message: expect.any(String), details: { sqlState: state } },
        });
        for (const leak of ['select', 'secret', '0000-01-01', '9999999', 'bytea']) expect(res.body).not.toContain(leak);
      }
      const unique = await bare.inject({ url: '/unique' });
      expect(unique.statusCode).toBe(409);
      expect(unique.json().error.code).toBe('CONFLICT');
      expect(unique.body).not.toMatch(/insert|crm_connections|pkey/);
    } finally {
      await bare.close();
    }
  });
});
