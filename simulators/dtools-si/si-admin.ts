import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { coerce, PROJECT_FIELDS } from './si-fields.js';
import { nextCoNumber } from './si-import.js';
import type { SiQueue } from './si-queue.js';
import { messageStatus, projectInfo, projectView } from './si-render.js';
import type { SiChangeOrder, SiProject, SiStore } from './si-store.js';

type Obj = Record<string, unknown>;
type P = { id: string; coNumber: string };
const CO_EDITABLE = ['coNumber', 'coName', 'coStatus', 'coType', 'price', 'coNotes'] as const;

/**
 * Test-only endpoints (not D-Tools API) acting as the SI user: import the queue now, create and edit projects and
 * change orders in SI, archive or delete. Every SI-side edit is also a publish: `publishedOnUnixTimeMs` moves on
 * and the entry shows in Subscribe again (not imported) until the integration acknowledges it.
 */
export function registerSiAdmin(app: FastifyInstance, store: SiStore, queue: SiQueue): void {
  const bad = (reply: FastifyReply, error: string) => reply.code(400).send({ error });
  const live = (id: string) => {
    const p = store.project(id);
    return p && !p.deleted ? p : undefined;
  };
  const adminView = (p: SiProject) => ({ ...projectView(p), deleted: p.deleted });

  app.post('/__admin/import', async (req) => {
    const body = (req.body ?? {}) as { projectId?: string; messageId?: string };
    return { imported: queue.importNow(body).map(messageStatus) };
  });
  app.get('/__admin/messages', async () => ({
    messages: [...store.messages.values()].map((m) => ({
      ...messageStatus(m),
      kind: m.kind,
      publishedAt: new Date(m.publishedAt).toISOString(),
    })),
  }));
  app.get('/__admin/publish-counts', async () => ({ counts: store.publishCounts() }));
  app.get('/__admin/projects', async () => ({ projects: [...store.projects.values()].map(adminView) }));
  app.get('/__admin/projects/:id', async (req, reply) => {
    const p = store.project((req.params as P).id);
    return p ? adminView(p) : reply.code(404).send({ error: 'no such project in SI' });
  });

  /** A project the SI user creates in SI (not from the integration), published at once. */
  app.post('/__admin/projects', async (req, reply) => {
    const { fields, error } = projectFields(req.body);
    if (error) return bad(reply, error);
    const now = Date.now();
    const p: SiProject = {
      id: randomUUID(),
      number: store.nextNumber(),
      fields: { client: 'Walk-in client', name: 'New project', ...fields },
      changeOrders: [],
      createdOn: now,
      updatedOn: now,
      archived: false,
      deleted: false,
      published: null,
    };
    store.projects.set(p.id, p);
    store.siPublish(p);
    return reply.code(201).send(projectInfo({ project: p, published: p.published! }));
  });

  /** `{ fields?, archived?, deleted? }`: the SI user edits the project and publishes it. */
  app.patch('/__admin/projects/:id', async (req, reply) => {
    const p = store.project((req.params as P).id);
    if (!p) return reply.code(404).send({ error: 'no such project in SI (import it first?)' });
    const body = (req.body ?? {}) as { fields?: unknown; archived?: boolean; deleted?: boolean };
    const { fields, error } = projectFields(body.fields ?? {});
    if (error) return bad(reply, error);
    Object.assign(p.fields, fields);
    if (typeof body.archived === 'boolean') p.archived = body.archived;
    if (typeof body.deleted === 'boolean') p.deleted = body.deleted;
    p.updatedOn = Date.now();
    return projectInfo({ project: p, published: store.siPublish(p) });
  });

  app.delete('/__admin/projects/:id', async (req, reply) => {
    const p = live((req.params as P).id);
    if (!p) return reply.code(404).send({ error: 'no such project in SI' });
    Object.assign(p, { deleted: true, updatedOn: Date.now() });
    return projectInfo({ project: p, published: store.siPublish(p) });
  });

  /** `{ coNumber?, coName, coStatus?, coType?, price?, coNotes? }`: a change order made in SI, published. */
  app.post('/__admin/projects/:id/change-orders', async (req, reply) => {
    const p = live((req.params as P).id);
    if (!p) return reply.code(404).send({ error: 'no such project in SI' });
    const now = Date.now();
    const co: SiChangeOrder = {
      coId: store.nextCoId(),
      coNumber: nextCoNumber(p),
      integrationChangeOrderId: null,
      coName: 'Change order',
      coStatus: 'Pending',
      coType: 'External',
      coNotes: null,
      price: 0,
      createdOn: now,
      acceptedOn: null,
      rejectedOn: null,
      custom: {},
      published: null,
    };
    const error = editChangeOrder(p, co, req.body);
    if (error) return bad(reply, error);
    p.changeOrders.push(co);
    return reply.code(201).send(projectInfo({ project: p, co, published: store.siPublish(co) }));
  });

  app.patch('/__admin/projects/:id/change-orders/:coNumber', async (req, reply) => {
    const p = live((req.params as P).id);
    const co = p?.changeOrders.find((c) => c.coNumber === (req.params as P).coNumber);
    if (!p || !co) return reply.code(404).send({ error: 'no such change order in SI' });
    const error = editChangeOrder(p, co, req.body);
    if (error) return bad(reply, error);
    return projectInfo({ project: p, co, published: store.siPublish(co) });
  });
}

/** Known Project fields with values of their type; anything else is refused, so a test typo shows. */
function projectFields(body: unknown): { fields: Obj; error?: string } {
  const fields: Obj = {};
  if (typeof body !== 'object' || body === null) return { fields, error: 'fields must be an object' };
  for (const [k, v] of Object.entries(body)) {
    const type = PROJECT_FIELDS[k];
    const r = type ? coerce(type, v) : { error: 'not a Project field' };
    if ('error' in r) return { fields, error: `${k}: ${r.error}` };
    fields[k] = r.value;
  }
  return { fields };
}

/** Applies `{ coNumber?, coName?, coStatus?, coType?, price?, coNotes? }`; accepting or rejecting stamps the date. */
function editChangeOrder(p: SiProject, co: SiChangeOrder, body: unknown): string | undefined {
  const b = (body ?? {}) as Obj;
  const unknown = Object.keys(b).filter((k) => !(CO_EDITABLE as readonly string[]).includes(k));
  if (unknown.length) return `unknown change order fields: ${unknown.join(', ')}`;
  if (b.coType !== undefined && b.coType !== 'Internal' && b.coType !== 'External') {
    return 'coType must be Internal or External';
  }
  if (b.price !== undefined && typeof b.price !== 'number') return 'price must be a number';
  const notText = ['coNumber', 'coName', 'coStatus'].filter((k) => b[k] !== undefined && typeof b[k] !== 'string');
  if (notText.length) return `${notText.join(', ')} must be text`;
  if (b.coNumber !== undefined && p.changeOrders.some((c) => c !== co && c.coNumber === b.coNumber)) {
    return `coNumber ${String(b.coNumber)} is taken`;
  }
  Object.assign(co, Object.fromEntries(CO_EDITABLE.filter((k) => b[k] !== undefined).map((k) => [k, b[k]])));
  const status = String(co.coStatus).toLowerCase();
  if (['accepted', 'approved'].includes(status)) co.acceptedOn ??= Date.now();
  if (status === 'rejected') co.rejectedOn ??= Date.now();
  return undefined;
}
