import { createHmac, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { FILE_TYPES, fileBytes, md5 } from '../common/files.js';
import { registerHubSpotAdmin } from './hubspot-admin.js';
import { hubspotError, hubspotErrorBody } from './hubspot-errors.js';
import { HubSpotLimiter, type HubSpotLimitsConfig } from './hubspot-limits.js';
import { SEARCH, runSearch, searchProblems, type SearchBody } from './hubspot-search.js';
import { ASSOC_TYPE, DEFAULT_PROPERTIES, type HsFile, type HsObject, type HubSpotStore } from './hubspot-store.js';

const LIST_MAX = 100;
const BATCH_MAX = 100;
const ASSOC_BATCH_MAX = 1_000;
type P = { type: string; id: string; from: string; to: string; name: string };

/** Array query params arrive repeated (SDK) or comma-separated: accept both. */
function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v])
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}

/** HubSpot CRM v3 objects, v4 associations and files v3 (crm-apis.md 4). */
export function buildHubSpotSimulator(opts: {
  store: HubSpotStore;
  token: string;
  limits: HubSpotLimitsConfig;
  baseUrl: () => string;
  faults?: FaultInjector;
  searchCap?: number;
}): FastifyInstance {
  const searchCap = opts.searchCap ?? SEARCH.maxResults;
  const { store } = opts;
  const app = Fastify({ logger: false });
  const faults = opts.faults ?? new FaultInjector();
  const limiter = new HubSpotLimiter(opts.limits);
  const signingKey = `sim-signing:${opts.token}`;
  faults.install(app, (status) => hubspotErrorBody(status));
  registerAdmin(app, faults, {
    stats: () => ({
      ...limiter.stats,
      deals: store.objects.get('deals')!.size,
      notes: store.objects.get('notes')!.size,
      files: store.files.size,
    }),
    reset: () => limiter.reset(),
  });
  registerHubSpotAdmin(app, store);

  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/__admin') || req.url.startsWith('/hubfs/')) return;
    if (req.headers.authorization !== `Bearer ${opts.token}`) {
      return hubspotError(
        reply,
        401,
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
      );
    }
    if (!limiter.admit(req, reply)) return reply;
  });
  app.setNotFoundHandler((req, reply) =>
    hubspotError(reply, 404, `Unable to route ${req.method} ${req.url.split('?')[0]}`),
  );

  const typeMap = (req: FastifyRequest) => store.objects.get((req.params as P).type);
  const render = (type: string, o: HsObject, props?: string[]) => {
    const names = props ?? DEFAULT_PROPERTIES[type] ?? Object.keys(o.properties);
    const wanted = new Set([...names, 'hs_object_id', 'createdate', 'hs_lastmodifieddate']);
    return {
      id: o.id,
      properties: Object.fromEntries([...wanted].map((n) => [n, o.properties[n] ?? null])),
      createdAt: new Date(o.createdAt).toISOString(),
      updatedAt: new Date(o.updatedAt).toISOString(),
      archived: o.archived,
    };
  };

  app.get('/crm/v3/objects/:type', (req, reply) => {
    const objects = typeMap(req);
    if (!objects) return hubspotError(reply, 400, `Unable to infer object type from: ${(req.params as P).type}`);
    const q = req.query as Record<string, unknown>;
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > LIST_MAX)
      return hubspotError(reply, 400, `limit must be between 1 and ${LIST_MAX}`);
    const all = [...objects.values()].filter((o) => !o.archived);
    const start = q.after === undefined ? 0 : Number(q.after);
    if (!Number.isInteger(start) || start < 0)
      return hubspotError(reply, 400, 'after must be a paging cursor from a previous page');
    const page = all.slice(start, start + limit);
    const assocTypes = list(q.associations) ?? [];
    const type = (req.params as P).type;
    const next = start + limit < all.length ? String(start + limit) : undefined;
    return {
      results: page.map((o) => ({
        ...render(type, o, list(q.properties)),
        ...(assocTypes.length
          ? {
              associations: Object.fromEntries(
                assocTypes.map((t) => [
                  t,
                  {
                    results: store
                      .associated(type, o.id, t)
                      .map((id) => ({ id, type: `${type.replace(/s$/, '')}_to_${t.replace(/s$/, '')}` })),
                  },
                ]),
              ),
            }
          : {}),
      })),
      ...(next
        ? { paging: { next: { after: next, link: `${opts.baseUrl()}/crm/v3/objects/${type}?after=${next}` } } }
        : {}),
    };
  });

  app.get('/crm/v3/objects/:type/:id', (req, reply) => {
    const o = typeMap(req)?.get((req.params as P).id);
    if (!o || o.archived) return hubspotError(reply, 404, 'Object not found');
    return render((req.params as P).type, o, list((req.query as Record<string, unknown>).properties));
  });

  app.post('/crm/v3/objects/:type', (req, reply) => {
    const { type } = req.params as P;
    if (!store.objects.has(type)) return hubspotError(reply, 400, `Unable to infer object type from: ${type}`);
    const body = req.body as
      { properties?: Record<string, unknown>; associations?: Array<{ to: { id: string } }> } | undefined;
    const props = Object.fromEntries(
      Object.entries(body?.properties ?? {}).map(([k, v]) => [k, v === null ? null : String(v)]),
    );
    // ⚠ Notes need hs_timestamp (crm-apis.md 6.8).
    if (type === 'notes' && !props.hs_timestamp)
      return hubspotError(reply, 400, 'Property values were not valid', {
        errors: [
          {
            message: 'hs_timestamp is required',
            code: 'PROPERTY_VALUE_REQUIRED',
            context: { propertyName: ['hs_timestamp'] },
          },
        ],
      });
    const o = store.create(type, props);
    for (const a of body?.associations ?? []) {
      const target = [...store.objects.entries()].find(([, m]) => m.has(a.to.id));
      if (target) store.associate(type, o.id, target[0], a.to.id);
    }
    return reply.code(201).send(render(type, o, Object.keys(props)));
  });

  app.patch('/crm/v3/objects/:type/:id', (req, reply) => {
    const o = typeMap(req)?.get((req.params as P).id);
    if (!o || o.archived) return hubspotError(reply, 404, 'Object not found');
    const props = (req.body as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    for (const [k, v] of Object.entries(props)) o.properties[k] = v === null ? null : String(v);
    o.updatedAt = Date.now();
    o.properties.hs_lastmodifieddate = new Date(o.updatedAt).toISOString();
    return render((req.params as P).type, o, Object.keys(props));
  });

  app.post('/crm/v3/objects/:type/batch/read', (req, reply) => {
    const objects = typeMap(req);
    if (!objects) return hubspotError(reply, 400, `Unable to infer object type from: ${(req.params as P).type}`);
    const body = req.body as { inputs?: Array<{ id: string }>; properties?: string[] } | undefined;
    const inputs = body?.inputs ?? [];
    if (inputs.length > BATCH_MAX) return hubspotError(reply, 400, `inputs must contain at most ${BATCH_MAX} items`);
    const found = inputs.map((i) => objects.get(String(i.id))).filter((o): o is HsObject => !!o && !o.archived);
    const missing = inputs.map((i) => String(i.id)).filter((id) => !objects.get(id));
    const now = new Date().toISOString();
    const results = found.map((o) =>
      render((req.params as P).type, o, body?.properties?.length ? body.properties : undefined),
    );
    if (missing.length === 0) return { status: 'COMPLETE', results, startedAt: now, completedAt: now };
    return reply.code(207).send({
      status: 'COMPLETE',
      results,
      startedAt: now,
      completedAt: now,
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: 'Could not get some objects, they may be deleted or not exist.',
          context: { ids: missing },
          errors: [],
          links: {},
        },
      ],
    });
  });

  app.post('/crm/v3/objects/:type/search', (req, reply) => {
    const objects = typeMap(req);
    if (!objects) return hubspotError(reply, 400, `Unable to infer object type from: ${(req.params as P).type}`);
    const body = (req.body ?? {}) as SearchBody;
    const problem = searchProblems(body);
    if (problem) return hubspotError(reply, 400, problem);
    const limit = body.limit ?? 10;
    const after = Number(body.after ?? 0);
    // ⚠ Paging past 10,000 results is refused (crm-apis.md 6.7).
    if (after + limit > searchCap)
      return hubspotError(reply, 400, `Search results are limited to ${searchCap}; narrow the query`);
    let hits: HsObject[];
    try {
      hits = runSearch([...objects.values()], body);
    } catch (err) {
      return hubspotError(reply, 400, (err as Error).message);
    }
    const page = hits.slice(after, after + limit);
    const next = after + limit < hits.length && after + limit < searchCap ? String(after + limit) : undefined;
    return {
      total: hits.length,
      results: page.map((o) =>
        render((req.params as P).type, o, body.properties?.length ? body.properties : undefined),
      ),
      ...(next ? { paging: { next: { after: next } } } : {}),
    };
  });

  const assocResult = (from: string, to: string, id: string) =>
    store.associated(from, id, to).map((toId) => ({
      toObjectId: Number(toId),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: ASSOC_TYPE[`${from}:${to}`] ?? 0, label: null }],
    }));
  app.get('/crm/v4/objects/:from/:id/associations/:to', (req) => {
    const { from, id, to } = req.params as P;
    return { results: assocResult(from, to, id) };
  });
  app.post('/crm/v4/associations/:from/:to/batch/read', (req, reply) => {
    const { from, to } = req.params as P;
    const inputs = (req.body as { inputs?: Array<{ id: string }> } | undefined)?.inputs ?? [];
    if (inputs.length > ASSOC_BATCH_MAX)
      return hubspotError(reply, 400, `inputs must contain at most ${ASSOC_BATCH_MAX} items`);
    const now = new Date().toISOString();
    const results = inputs
      .map((i) => ({ from: { id: String(i.id) }, to: assocResult(from, to, String(i.id)) }))
      .filter((r) => r.to.length > 0);
    return { status: 'COMPLETE', results, startedAt: now, completedAt: now };
  });

  const fileUrl = (f: HsFile) => `${opts.baseUrl()}/hubfs/${f.id}/${encodeURIComponent(f.name)}.${f.extension}`;
  const sign = (id: string, expires: number) =>
    createHmac('sha256', signingKey).update(`${id}:${expires}`).digest('hex');
  // Keyed by what the bytes derive from, not the file id: a reseed (POST /__admin/reset-state) reuses ids.
  const md5s = new Map<string, string>();
  const fileMd5 = (f: HsFile) => {
    const key = `${f.contentKey}:${f.extension}:${f.size}`;
    return md5s.get(key) ?? md5s.set(key, md5(fileBytes(f.contentKey, f.extension, f.size))).get(key)!;
  };
  const renderFile = (f: HsFile) => ({
    id: f.id,
    name: f.name,
    extension: f.extension,
    type: ['png', 'jpg'].includes(f.extension) ? 'IMG' : 'DOCUMENT',
    size: f.size,
    url: fileUrl(f),
    defaultHostingUrl: fileUrl(f),
    path: `/deal-files/${f.name}.${f.extension}`,
    parentFolderId: '1001',
    access: f.access,
    encoding: f.extension,
    isUsableInContent: true,
    fileMd5: fileMd5(f),
    createdAt: new Date(f.createdAt).toISOString(),
    updatedAt: new Date(f.updatedAt).toISOString(),
    archived: false,
  });

  app.get('/files/v3/files/search', (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const ids = list(q.ids);
    const limit = q.limit === undefined ? 10 : Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      return hubspotError(reply, 400, 'limit must be between 1 and 100');
    let files = [...store.files.values()];
    if (ids) files = files.filter((f) => ids.includes(f.id));
    if (q.name) files = files.filter((f) => f.name === q.name);
    if (q.extension) files = files.filter((f) => f.extension === q.extension);
    const start = Number(q.after ?? 0);
    const page = files.slice(start, start + limit);
    const next = start + limit < files.length ? String(start + limit) : undefined;
    return { results: page.map(renderFile), ...(next ? { paging: { next: { after: next } } } : {}) };
  });
  app.get('/files/v3/files/:id', (req, reply) => {
    const f = store.files.get((req.params as P).id);
    return f ? renderFile(f) : hubspotError(reply, 404, 'File not found');
  });
  app.get('/files/v3/files/:id/signed-url', (req, reply) => {
    const f = store.files.get((req.params as P).id);
    if (!f) return hubspotError(reply, 404, 'File not found');
    const seconds = Number((req.query as { expirationSeconds?: string }).expirationSeconds ?? 3600);
    const expires = Date.now() + seconds * 1000;
    return {
      url: `${fileUrl(f)}?expires=${expires}&signature=${sign(f.id, expires)}`,
      expiresAt: new Date(expires).toISOString(),
      name: f.name,
      extension: f.extension,
      type: renderFile(f).type,
      size: f.size,
    };
  });

  // ⚠ Private files are only served with a valid signature (crm-apis.md 6.8).
  app.get('/hubfs/:id/:name', (req, reply) => {
    const f = store.files.get((req.params as P).id);
    if (!f) return reply.code(404).send('Not Found');
    if (f.access === 'PRIVATE') {
      const q = req.query as { expires?: string; signature?: string };
      const expires = Number(q.expires);
      const want = Buffer.from(sign(f.id, expires));
      const got = Buffer.from(q.signature ?? '');
      if (!expires || expires < Date.now() || want.length !== got.length || !timingSafeEqual(want, got))
        return reply.code(403).send('Forbidden');
    }
    return reply
      .header('content-type', FILE_TYPES[f.extension].mime)
      .send(fileBytes(f.contentKey, f.extension, f.size));
  });
  return app;
}
