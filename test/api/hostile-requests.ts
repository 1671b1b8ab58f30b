import fc from 'fast-check';

/**
 * Hostile requests for any route of an OpenAPI document: per slot (a path param, a query key, a body field, the
 * whole body) one hostile value from the class that slot invites, every other slot plausible.
 */

type Schema = {
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
};
type Operation = {
  parameters?: Array<{ in: 'path' | 'query'; name: string; required?: boolean; schema: Schema }>;
  requestBody?: { content?: Record<string, { schema: Schema }> };
};
export interface Route {
  method: string;
  path: string;
  op: Operation;
}
export interface HostileRequest {
  method: string;
  url: string;
  payload?: string;
  contentType?: string;
}

const b64 = (s: string) => Buffer.from(s).toString('base64url');
const jsonCursor = (o: unknown) => b64(JSON.stringify(o));

/** The fuzzing run's classes, each a pool: NUL, numbers in disguise, dates past the edges, odd Unicode, the rest; cursors below. */
const HOSTILE = {
  nul: ['\u0000', 'a\u0000b', '%00', 'a%00', '\u0000'.repeat(3), 'Lovelace\u0000', '1\u0000'],
  numbers: [
    '9'.repeat(30),
    '99999999999999999999',
    '9007199254740993',
    '0x10',
    '1e3',
    ' 1 ',
    '1e999',
    '-1',
    '0',
    '1.5',
    'NaN',
    'Infinity',
    '+1',
    '1_000',
  ],
  dates: [
    '0000-01-01T00:00:00Z',
    '9999-12-31T23:59:59-14:00',
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '2026-02-30T00:00:00Z',
    '-000001-01-01T00:00:00Z',
    '+010000-01-01T00:00:00Z',
  ],
  unicode: ['😀', '\ud800', 'a\udfffb', '\udc00\ud800', '😀\ud83d', '\ufeff', '\u202e'],
  other: [
    '',
    ' ',
    'x'.repeat(5000),
    '__proto__',
    'constructor',
    '../../etc/passwd',
    "' or 1=1 --",
    '%',
    '%zz',
    '\n',
    '\\',
    'a@b',
    'not an email',
  ],
};
const HOSTILE_JSON: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  Number.MAX_SAFE_INTEGER + 2,
  [],
  ['x'],
  {},
  { a: '\u0000' },
  [{}],
  [[['deep']]],
  JSON.parse('{"__proto__":{"x":1}}'),
];

export function encodeSegment(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    // Lone surrogates: percent-encode what UTF-8 makes of them.
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
  }
}

export function routesOf(doc: { paths: Record<string, Record<string, Operation>> }): Route[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })),
  );
}

/** What exists in the database and Temporal, for plausible values; and valid bodies for routes with cross-field rules. */
export interface HostileContext {
  numericIds: string[];
  connections: string[];
  workflows: string[];
  schedules: string[];
  cursors: string[];
  examples: Record<string, fc.Arbitrary<Record<string, unknown>>>;
}
let known: HostileContext;

function plausible(name: string, schema: Schema, path: string): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (schema.type === 'boolean') return fc.boolean();
  if (schema.type === 'array')
    return fc.array(plausible(name, schema.items ?? {}, path), { minLength: 1, maxLength: 3 });
  if (schema.type === 'object') return bodyOf(schema, path);
  if (schema.format === 'date-time')
    return fc.constantFrom('2026-01-01T00:00:00Z', '2020-05-05T12:00:00+02:00', '2030-12-31T23:59:59.999Z');
  if (schema.format === 'email') return fc.constantFrom('prop@example.com', 'a.b@example.org');
  if (schema.pattern === '^\\d{1,16}$') return fc.constantFrom(...known.numericIds, '50', '200');
  if (name === 'cursor') return fc.constantFrom(...known.cursors);
  if (/^connection(Id)?$/.test(name) || path.startsWith('/connections/'))
    return fc.constantFrom(...known.connections, 'nope');
  if (name === 'workflowId') return fc.constantFrom(...known.workflows);
  if (path.startsWith('/schedules/') && name === 'id') return fc.constantFrom(...known.schedules);
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern), { maxLength: 16 });
  return fc.oneof(
    fc.constantFrom('Lovelace', 'pdf', 'Qualified', 'application/pdf', 'D1', '0 * * * *', 'Europe/Berlin'),
    fc.string({ maxLength: 12 }),
  );
}

/**
 * Cursors in the real encodings (base64url of `{"v":…,"id":…}` for files, `kind:id` for the rest) carrying values of
 * the wrong type or range, and plain junk.
 */
const craftedCursor = (kind = 'lead'): fc.Arbitrary<string> =>
  fc.oneof(
    fc
      .record({
        v: fc.oneof(
          fc.constantFrom(
            ...HOSTILE.numbers,
            ...HOSTILE.dates,
            ...HOSTILE.nul,
            'abc',
            'infinity',
            '2026-01-01 10:00:00+00',
          ),
          fc.constantFrom<unknown>(1e308, -1, 1.5, 2 ** 64, null, true, [], {}),
        ),
        id: fc.oneof(fc.constantFrom(1, 2, 3), fc.constantFrom<unknown>(0, -1, 1.5, 1e30, '1', null)),
      })
      .map(jsonCursor),
    fc
      .constantFrom(
        '{"v":1e999,"id":1}',
        '{"v":"1","id":99999999999999999999}',
        '{"v":1,"id":1e999}',
        '{"v":',
        'null',
        '[]',
      )
      .map(b64),
    fc
      .tuple(fc.constantFrom(kind, kind, kind, 'lead', 'run'), fc.constantFrom(...HOSTILE.numbers, '1\u0000', ''))
      .map(([k, n]) => b64(`${k}:${n}`)),
    fc.constantFrom('zzz', '!!!', '====', b64('\u0000')),
  );
/** The kind an id cursor of each list carries (db/repositories/id-cursor.ts); file lists use JSON cursors. */
const ID_CURSOR_KIND: Record<string, string> = {
  '/leads': 'lead',
  '/leads/conflicts': 'conflict',
  '/syncs': 'run',
  '/syncs/{workflowId}/events': 'event',
  '/deals': 'deal',
};
const pool = (name: keyof typeof HOSTILE | 'cursors', weight: number, path = '') => ({
  weight,
  arbitrary: name === 'cursors' ? craftedCursor(ID_CURSOR_KIND[path]) : fc.constantFrom(...HOSTILE[name]),
});

/** A hostile string aimed at the slot: junk cursors for a cursor, numbers in disguise for an id, NUL for any text. */
function hostileString(name: string, schema: Schema, path = ''): fc.Arbitrary<string> {
  if (name === 'cursor') return fc.oneof(pool('cursors', 5, path), pool('nul', 1), pool('other', 1));
  if (schema.pattern === '^\\d{1,16}$') return fc.oneof(pool('numbers', 5), pool('nul', 1), pool('other', 1));
  if (schema.format === 'date-time')
    return fc.oneof(pool('dates', 5), pool('nul', 1), pool('numbers', 1), pool('other', 1));
  return fc.oneof(
    pool('nul', 3),
    pool('unicode', 2),
    pool('numbers', 1),
    pool('dates', 1),
    pool('cursors', 1),
    pool('other', 2),
  );
}
const anyHostileString = hostileString('', {});
const hostileJson = (name: string, schema: Schema) =>
  fc.oneof(
    { weight: 3, arbitrary: hostileString(name, schema) },
    { weight: 1, arbitrary: fc.constantFrom(...HOSTILE_JSON) },
  );

/**
 * Where a request's hostile value goes. Every other slot gets a plausible value (rarely a second hostile one):
 * a strict schema rejects the whole request at its first bad field, so only a lone hostile value reaches the
 * handler, the repositories and Postgres.
 */
export type Target = { in: 'path' | 'query' | 'body'; name: string } | { in: 'whole-body' | 'none' };

function hostileFor(name: string, schema: Schema, json: boolean): fc.Arbitrary<unknown> {
  const scalar = json ? hostileJson(name, schema) : hostileString(name, schema);
  if (schema.type === 'array')
    return fc.oneof(
      scalar,
      fc.array(fc.oneof(hostileString(name, schema.items ?? {}), plausible('', schema.items ?? {}, '')), {
        minLength: 1,
        maxLength: 3,
      }),
    );
  if (schema.type === 'object') return fc.oneof(scalar, bodyOf(schema, '', Object.keys(schema.properties ?? {})[0]));
  return scalar;
}

const slot = (target: boolean, name: string, schema: Schema, path: string, json: boolean) =>
  target
    ? hostileFor(name, schema, json)
    : fc.oneof(
        { weight: 30, arbitrary: plausible(name, schema, path) },
        { weight: 1, arbitrary: hostileFor(name, schema, json) },
      );

function bodyOf(schema: Schema, path: string, target?: string): fc.Arbitrary<Record<string, unknown>> {
  const props = Object.entries(schema.properties ?? {});
  return fc
    .tuple(
      ...props.map(([name, s]) =>
        fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), slot(name === target, name, s, path, true)),
      ),
    )
    .map((values) =>
      Object.fromEntries(
        props.flatMap(([name], i) => {
          const [roll, value] = values[i]!;
          const keep = name === target || (schema.required?.includes(name) ? roll < 0.95 : roll < 0.3);
          return keep ? [[name, value]] : [];
        }),
      ),
    );
}

type Param = NonNullable<Operation['parameters']>[number];

function pathOf(route: Route, params: Param[], t: Target): fc.Arbitrary<string> {
  return fc
    .tuple(
      ...params.map((p) =>
        fc.tuple(
          slot(t.in === 'path' && t.name === p.name, p.name, p.schema, route.path, false),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
      ),
    )
    .map((values) =>
      params.reduce((url, p, i) => {
        const [value, roll] = values[i]!;
        // Now and then the raw text, unencoded: malformed escapes such as `%zz` must not slip past the error shape.
        const raw = roll < 0.2 && /^[\x21-\x7e]+$/.test(String(value));
        return url.replace(`{${p.name}}`, raw ? String(value) : encodeSegment(String(value)));
      }, route.path),
    );
}

function queryOf(route: Route, params: Param[], t: Target): fc.Arbitrary<string> {
  const target = t.in === 'query' ? params.find((p) => p.name === t.name) : undefined;
  const extra = fc.oneof(
    { weight: 6, arbitrary: fc.constant([]) },
    { weight: 1, arbitrary: fc.constantFrom(['unknown=1'], ['%00=1'], ['__proto__[x]=1'], ['a[b]=c'], ['limit']) },
  );
  const others = params.filter((p) => p !== target);
  // A crafted cursor means most next to the sort whose type it mimics.
  const companion = target?.name === 'cursor' ? others.find((p) => p.name === 'sort') : undefined;
  return fc
    .subarray(
      others.filter((p) => p !== companion),
      { maxLength: Math.min(4, others.length - (companion ? 1 : 0)) },
    )
    .chain((chosen) =>
      fc.tuple(
        fc.tuple(
          ...[...chosen, ...(companion ? [companion] : []), ...(target ? [target] : [])].map((p) =>
            fc.tuple(
              fc.constant(p.name),
              p === target
                ? // Repeated keys arrive as arrays.
                  fc.oneof(
                    { weight: 6, arbitrary: hostileString(p.name, p.schema, route.path).map((v) => [v]) },
                    { weight: 1, arbitrary: fc.array(anyHostileString, { minLength: 2, maxLength: 3 }) },
                  )
                : slot(false, p.name, p.schema, route.path, false).map((v) => [String(v)]),
            ),
          ),
        ),
        extra,
      ),
    )
    .map(([pairs, more]) =>
      [...pairs.flatMap(([k, vs]) => vs.map((v) => `${k}=${encodeSegment(v)}`)), ...more].join('&'),
    );
}

type Body = Pick<HostileRequest, 'payload' | 'contentType'>;
const asJson = (b: unknown): Body => ({ payload: JSON.stringify(b) ?? 'null', contentType: 'application/json' });

function bodyFor(route: Route, schema: Schema | undefined, t: Target): fc.Arbitrary<Body> {
  if (t.in === 'whole-body') {
    return fc.oneof(
      hostileJson('', {}).map(asJson),
      fc.constantFrom<Body>(
        { payload: '{"a":', contentType: 'application/json' },
        { payload: 'x', contentType: 'text/plain' },
        { payload: '' },
        {},
      ),
    );
  }
  if (!schema) return fc.constant({});
  const example = known.examples[`${route.method} ${route.path}`];
  if (!example) return bodyOf(schema, route.path, t.in === 'body' ? t.name : undefined).map(asJson);
  // A valid body with one field swapped: cross-field rules (exactly one of every/cron, a kind's connection) still hold.
  const swapped =
    t.in === 'body'
      ? fc
          .tuple(example, hostileFor(t.name, schema.properties?.[t.name] ?? {}, true))
          .map(([ex, h]) => ({ ...ex, [t.name]: h }))
      : example;
  return fc
    .oneof(
      { weight: 3, arbitrary: swapped },
      { weight: 1, arbitrary: bodyOf(schema, route.path, t.in === 'body' ? t.name : undefined) },
    )
    .map(asJson);
}

export function targetsOf(route: Route): Target[] {
  const params = route.op.parameters ?? [];
  const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
  return [
    ...params.map((p) => ({ in: p.in, name: p.name })),
    ...Object.keys(bodySchema?.properties ?? {}).map((name) => ({ in: 'body' as const, name })),
    { in: 'whole-body' },
    { in: 'none' },
  ];
}

/** Slots where the fuzzing run found 500s get more of the runs: cursors, then ids, dates and text. */
export function runsFor(route: Route, t: Target, perSlot: number): number {
  if (!('name' in t)) return perSlot;
  const schema =
    t.in === 'body'
      ? route.op.requestBody?.content?.['application/json']?.schema.properties?.[t.name]
      : route.op.parameters?.find((p) => p.name === t.name)?.schema;
  if (t.name === 'cursor') return perSlot * 3;
  return schema?.enum || schema?.type === 'boolean' ? perSlot : perSlot * 2;
}

export function requestOf(route: Route, t: Target): fc.Arbitrary<HostileRequest> {
  const params = route.op.parameters ?? [];
  const bodySchema = route.op.requestBody?.content?.['application/json']?.schema;
  return fc
    .tuple(
      pathOf(
        route,
        params.filter((p) => p.in === 'path'),
        t,
      ),
      queryOf(
        route,
        params.filter((p) => p.in === 'query'),
        t,
      ),
      bodyFor(route, bodySchema, t),
    )
    .map(([path, qs, body]) => ({ method: route.method, url: qs ? `${path}?${qs}` : path, ...body }));
}

/** The one error shape, exactly: no extra keys, details an object. */
export function errorShapeProblem(body: string): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'body is not JSON';
  }
  const top = json as { error?: { code?: unknown; message?: unknown; details?: unknown } };
  if (typeof top !== 'object' || top === null || Object.keys(top).join() !== 'error')
    return 'top level is not { error }';
  const e = top.error;
  if (typeof e !== 'object' || e === null || Object.keys(e).sort().join() !== 'code,details,message')
    return 'error is not { code, message, details }';
  if (typeof e.code !== 'string' || typeof e.message !== 'string') return 'code or message is not a string';
  if (typeof e.details !== 'object' || e.details === null || Array.isArray(e.details))
    return 'details is not an object';
  return undefined;
}

/** Sets what the generators draw plausible values from; call once the fixtures exist. */
export function useContext(ctx: HostileContext): void {
  known = ctx;
}
