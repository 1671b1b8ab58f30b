import type { FastifyInstance, FastifyReply } from 'fastify';
import { problem, validationProblem } from './si-errors.js';
import { GUID } from './si-fields.js';
import { QueryReader } from './si-query.js';
import { projectInfo, projectView } from './si-render.js';
import type { SiStore, SubscribeEntry } from './si-store.js';

type Q = Record<string, unknown>;
/** The OpenAPI gives no maximum page size; the stricter reading refuses more than 100 rather than clamping. */
const MAX_PAGE_SIZE = 100;
const AGGREGATES = ['item', 'location', 'system', 'phase'];

/**
 * Subscribe endpoints (SI → integration): only what the SI user published. A project that was imported from the
 * integration but never published back by the SI user is not listed and not readable here (the stricter reading of
 * "published by a SI user"); the integration learns its number from the message status instead.
 */
export function registerSubscribeRoutes(app: FastifyInstance, store: SiStore): void {
  app.get('/si/Subscribe/Projects', async (req, reply) => {
    const r = new QueryReader(req.query as Q);
    const includeImported = r.bool('includeImported');
    const includeArchived = r.bool('includeArchived');
    const includeDeleted = r.bool('includeDeleted');
    const pageNumber = r.int('pageNumber', 1, 1, 2 ** 31 - 1);
    const pageSize = r.int('pageSize', 50, 1, MAX_PAGE_SIZE);
    if (r.errors.any) return validationProblem(reply, r.errors.map);
    const filter: Filter = {
      includeImported,
      includeArchived,
      includeDeleted,
      clients: r.list('clients').map(lower),
      progresses: r.list('progresses').map(lower),
      search: lower(r.text('searchText')),
      number: r.text('projectNumber')?.toLowerCase(),
    };
    const hits = store.entries().filter((e) => matches(filter, e));
    // Oldest publish first (order undocumented): a consumer walks forward from its last publishedOnUnixTimeMs.
    hits.sort((a, b) => a.published.at - b.published.at);
    const start = (pageNumber - 1) * pageSize;
    return { totalCount: hits.length, projects: hits.slice(start, start + pageSize).map(projectInfo) };
  });

  app.get('/si/Subscribe/Projects/GetProjectByMessageId', async (req, reply) => {
    const r = new QueryReader(req.query as Q);
    const messageId = r.text('messageId');
    if (!messageId) return validationProblem(reply, { messageId: ['The messageId field is required.'] });
    const entry = store.entryByMessageId(messageId);
    if (!entry || entry.project.deleted) return notFound(reply, `No published project for message ${messageId}.`);
    return projectView(entry.project, entry.co);
  });

  app.get('/si/Subscribe/Projects/:id', async (req, reply) => {
    const { id } = req.params as { id: string };
    const r = new QueryReader(req.query as Q);
    const aggregateBy = r.text('aggregateBy');
    if (aggregateBy && !AGGREGATES.includes(aggregateBy.toLowerCase())) {
      r.errors.add('aggregateBy', 'The value must be Item, Location, System or Phase.');
    }
    r.bool('getAdjustmentsByItem');
    if (!GUID.test(id)) r.errors.add('id', 'The id field must be a GUID.');
    if (r.errors.any) return validationProblem(reply, r.errors.map);
    const entry = find(store, id, r.text('coNumber'));
    // Items are served unit-wise whatever aggregateBy says: the simulator does not aggregate.
    return entry ? projectView(entry.project, entry.co) : notFound(reply, `No published project ${id}.`);
  });

  /**
   * ⚠ A stale `publishedOnUnixTimeMs` (the SI user published again after the caller read it) answers 409 Conflict,
   * not 400: the request is well formed, it lost an optimistic-concurrency race, and the caller must re-read and
   * decide again — a different action from fixing a bad request. D-Tools does not document its status for this.
   */
  app.put('/si/Subscribe/Projects/MarkAsImported', async (req, reply) => {
    const r = new QueryReader(req.query as Q);
    const id = r.text('id');
    if (!id || !GUID.test(id)) r.errors.add('id', 'The id field is required and must be a GUID.');
    const stamp = publishedStamp(r);
    if (r.errors.any) return validationProblem(reply, r.errors.map);
    const entry = find(store, id!, r.text('coNumber'));
    if (!entry) return notFound(reply, `No published project ${id}.`);
    return acknowledge(reply, entry, stamp);
  });

  app.put('/si/Subscribe/Projects/MarkAsImportedByMessageId', async (req, reply) => {
    const r = new QueryReader(req.query as Q);
    const messageId = r.text('messageId');
    if (!messageId) r.errors.add('messageId', 'The messageId field is required.');
    const stamp = publishedStamp(r);
    if (r.errors.any) return validationProblem(reply, r.errors.map);
    // Only the latest publish of a project has a live message id; an older one is not found.
    const entry = store.entryByMessageId(messageId!);
    if (!entry || entry.project.deleted) return notFound(reply, `No published project for message ${messageId}.`);
    return acknowledge(reply, entry, stamp);
  });
}

interface Filter {
  includeImported: boolean;
  includeArchived: boolean;
  includeDeleted: boolean;
  clients: string[];
  progresses: string[];
  search: string;
  number: string | undefined;
}

// SQL Server's default collation compares case-insensitively; D-Tools' database is assumed to.
const lower = (v: unknown) => String(v ?? '').toLowerCase();

function matches(f: Filter, { project: p, published }: SubscribeEntry): boolean {
  if (!f.includeImported && published.importedOn !== null) return false;
  if ((!f.includeArchived && p.archived) || (!f.includeDeleted && p.deleted)) return false;
  if (f.clients.length && !f.clients.includes(lower(p.fields.client))) return false;
  if (f.progresses.length && !f.progresses.includes(lower(p.fields.progress))) return false;
  if (f.search && ![p.fields.name, p.fields.client, p.number].some((v) => lower(v).includes(f.search))) return false;
  return !f.number || p.number.toLowerCase() === f.number;
}

/** The published project, or with `coNumber` its published change order. */
function find(store: SiStore, id: string, coNumber: string | undefined): SubscribeEntry | undefined {
  const project = store.project(id);
  if (!project || project.deleted) return undefined;
  const co = coNumber === undefined ? undefined : project.changeOrders.find((c) => c.coNumber === coNumber);
  if (coNumber !== undefined) return co?.published ? { project, co, published: co.published } : undefined;
  return project.published ? { project, published: project.published } : undefined;
}

/** 200 with an empty body (the OpenAPI declares no content); acknowledging twice is harmless. */
function acknowledge(reply: FastifyReply, entry: SubscribeEntry, stamp: number | undefined) {
  if (stamp !== undefined && stamp !== entry.published.at) {
    const detail = `Published again since ${stamp} (now ${entry.published.at}); read it again.`;
    return problem(reply, 409, { detail });
  }
  entry.published.importedOn ??= Date.now();
  return reply.code(200).send();
}

const publishedStamp = (r: QueryReader) =>
  r.text('publishedOnUnixTimeMs') === undefined ? undefined : r.int('publishedOnUnixTimeMs', 0, 0, 2 ** 53);
const notFound = (reply: FastifyReply, detail: string) => problem(reply, 404, { detail });
