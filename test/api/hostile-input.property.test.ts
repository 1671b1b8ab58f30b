import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auth, testApp } from '../helpers/api.js';
import { startTestStack, type TestStack } from '../helpers/stack.js';
import {
  encodeSegment,
  errorShapeProblem,
  requestOf,
  type Route,
  routesOf,
  runsFor,
  targetsOf,
  useContext,
} from './hostile-requests.js';

/**
 * Every route of the OpenAPI document, fed hostile params, queries and bodies mixed with plausible ones: the API
 * never answers 5xx, and every 4xx is the one error shape. Requests may start workflows or delete seeded rows;
 * only the answers are judged.
 */

/** About 600 requests keep the run to seconds; HOSTILE_INPUT_RUNS hunts longer. */
const RUNS_TOTAL = Number(process.env.HOSTILE_INPUT_RUNS ?? 600);

let stack: TestStack;
let app: FastifyInstance;
let routes: Route[];

beforeAll(async () => {
  stack = await startTestStack();
  app = await testApp(stack.db, stack.temporal, stack.content);
  const sql = (q: string, p: unknown[] = []) => stack.db.orm.em.fork().getConnection().execute(q, p);
  for (const id of [1, 2, 3, 16, 1000]) {
    await sql(
      `insert into leads (id, connection_id, last_name, email, sync_state, local_changed_at, created_at, updated_at) values (?, ?, 'Prop', ?, 'synced', now(), now(), now())`,
      [id, stack.zohoId, `p${id}@example.com`],
    );
    await sql(
      `insert into lead_conflicts (lead_id, field, local_value, remote_value, detected_at) values (?, 'company', 'a', 'b', now()), (?, 'email', 'a@example.com', 'b@example.com', now())`,
      [id, id],
    );
    await sql(
      `insert into file_metadata (id, connection_id, provider, external_file_id, deal_external_id, name, size, crm_created_at, first_seen_at, updated_at)
               values (?, ?, 'hubspot', ?, 'D1', ?, ?, now(), now(), now())`,
      [id, stack.hubspotId, `f${id}`, `file-${id}.pdf`, id * 10],
    );
    await sql(
      `insert into deals (id, connection_id, provider, external_id, first_seen_at, updated_at) values (?, ?, 'hubspot', ?, now(), now())`,
      [id, stack.hubspotId, `D${id}`],
    );
  }
  for (const seq of ['leads_id_seq', 'file_metadata_id_seq', 'deals_id_seq', 'lead_conflicts_id_seq'])
    await sql(`select setval('${seq}', 5000)`);
  await sql(
    `insert into sync_runs (workflow_id, run_id, kind, status, counts, started_at) values ('wf-prop', 'run-prop-1', 'file-sync', 'completed', '{}', now()), ('wf-prop', 'run-prop-2', 'file-sync', 'completed', '{}', now())`,
  );
  await sql(
    `insert into sync_events (run_id, workflow_id, level, code, message, occurred_at) values ('run-prop-2', 'wf-prop', 'error', 'X', 'one', now()), ('run-prop-2', 'wf-prop', 'error', 'X', 'two', now())`,
  );
  const created = await app.inject({
    method: 'POST',
    url: '/schedules',
    headers: auth,
    payload: { id: 'prop-sched', kind: 'file-sync-all', every: '1h', paused: true },
  });
  expect(created.statusCode).toBe(201);
  // Real cursors of every kind, so plausible requests page on and crafted ones sit next to them.
  const cursors: string[] = [];
  for (const url of [
    '/files?limit=1',
    '/files?limit=1&sort=-size',
    '/files?limit=1&sort=createdAt',
    '/leads?limit=1',
    '/leads/conflicts?limit=1',
    '/syncs?limit=1',
    '/syncs/wf-prop/events?limit=1',
    '/deals?limit=1',
  ]) {
    const next = (await app.inject({ url, headers: auth })).json().nextCursor;
    expect(next, url).toEqual(expect.any(String));
    cursors.push(next);
  }
  const zoho = stack.zohoId;
  useContext({
    numericIds: ['1', '2', '3', '16', '1000', '999999'],
    connections: [stack.hubspotId, zoho],
    workflows: ['wf-prop', 'nope'],
    schedules: ['prop-sched', 'nope'],
    cursors,
    // Valid bodies of the routes whose schemas have rules across fields, which random fields rarely satisfy.
    examples: {
      'POST /syncs/files': fc.constant({ connectionId: stack.hubspotId, dryRun: true }),
      'POST /syncs/leads/pull': fc.constant({ connectionId: zoho, dryRun: true }),
      'POST /syncs/leads/push': fc.constant({ connectionId: zoho, dryRun: true }),
      'POST /schedules': fc
        .record({
          id: fc.stringMatching(/^prop-[a-z0-9]{8}$/),
          kind: fc.constantFrom('file-sync-all', 'lead-pull'),
          every: fc.constantFrom('1h', '15m'),
          paused: fc.constant(true),
        })
        .map((b) => ({ ...b, ...(b.kind === 'lead-pull' ? { connectionId: zoho } : {}) })),
      'PATCH /schedules/{id}': fc.constantFrom({ every: '2h' }, { cron: '0 3 * * *', timezone: 'Europe/Berlin' }),
      'POST /schedules/{id}/pause': fc.constant({ note: 'paused by the property test' }),
      'POST /schedules/{id}/unpause': fc.constant({ note: 'unpaused by the property test' }),
      'POST /leads': fc
        .stringMatching(/^[a-z]{8}$/)
        .map((u) => ({ connectionId: zoho, lastName: 'Prop', email: `${u}@example.com` })),
      'PATCH /leads/{id}': fc.constantFrom({ company: 'Acme' }, { status: 'Qualified', phone: '+1 555' }),
      'POST /leads/{id}/conflicts/{field}/resolve': fc.constantFrom(
        { take: 'value', value: 'x@example.com' },
        { take: 'value', value: 'Acme' },
        { take: 'crm' },
      ),
    },
  });
  await app.ready();
  routes = routesOf(app.swagger() as never);
});
afterAll(async () => {
  const ours = app ? ((await app.inject({ url: '/schedules', headers: auth })).json().items ?? []) : [];
  for (const s of ours as Array<{ id: string }>)
    await app.inject({ method: 'DELETE', url: `/schedules/${encodeSegment(s.id)}`, headers: auth });
  await app?.close();
  await stack?.close();
});

describe('hostile input, every route', () => {
  it('never answers 5xx, and every 4xx is { error: { code, message, details } }', { timeout: 120_000 }, async () => {
    expect(routes.length).toBeGreaterThan(30);
    // Every slot of every route gets its own runs, so no hostile slot goes untried whatever the draw.
    const slots = routes.flatMap((route) => targetsOf(route).map((target) => ({ route, target })));
    const weight = slots.reduce((n, { route, target }) => n + runsFor(route, target, 1), 0);
    const perSlot = Math.max(1, Math.round(RUNS_TOTAL / weight));
    const failures: string[] = [];
    for (const { route, target } of slots) {
      const result = await fc.check(
        fc.asyncProperty(requestOf(route, target), async (req) => {
          const res = await app.inject({
            method: req.method as 'GET',
            url: req.url,
            headers: { ...auth, ...(req.contentType ? { 'content-type': req.contentType } : {}) },
            ...(req.payload === undefined ? {} : { payload: req.payload }),
          });
          if (res.statusCode >= 500) throw new Error(`${res.statusCode}: ${res.body.slice(0, 300)}`);
          const problem = res.statusCode >= 400 ? errorShapeProblem(res.body) : undefined;
          if (problem) throw new Error(`${res.statusCode} ${problem}: ${res.body.slice(0, 300)}`);
        }),
        { numRuns: runsFor(route, target, perSlot), endOnFailure: true },
      );
      if (result.failed) {
        const req = result.counterexample?.[0];
        failures.push(
          `${route.method} ${route.path} [${'name' in target ? `${target.in}.${target.name}` : target.in}] (seed ${result.seed}): ${JSON.stringify(req)?.slice(0, 400)} → ${(result.errorInstance as Error | undefined)?.message.slice(0, 400)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  });
});
