import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { moduleId } from './crm-catalogue.js';
import { batchStatus, type ItemResult, itemError, zohoError } from './crm-errors.js';
import { contentError, isParentModule, type Parent, parentFromBody } from './crm-note-checks.js';
import type { ZohoCrmStore } from './crm-store.js';
import { displayName } from './crm-validate.js';
import { success } from './crm-writes.js';

/** API note creates, in total and per parent record, so tests can prove a change was noted exactly once. */
export interface NoteStats {
  noteCreates: number;
  perParent: Map<string, number>;
}
type Params = { module: string; id: string };

/**
 * Notes (crm-apis.md 2.4; OAS `notes.json`): `POST /Notes` with the v8 `Parent_Id: { module: { api_name }, id }` or
 * the older `Parent_Id: "<id>"` + `se_module` (also seen as `$se_module`), `POST /{module}/{id}/Notes` with the
 * parent implied, `PUT /Notes[/{id}]` for title and content, and the related list `GET /{module}/{id}/Notes`.
 * Listing, reading and deleting `/Notes` go through the generic record routes (Notes is a module there).
 */
export function registerNotes(app: FastifyInstance, store: ZohoCrmStore, opts: NotesOptions): void {
  const { stats, dataOf } = opts;
  const answer = (reply: FastifyReply, items: ItemResult[], allOk: number) => {
    opts.written(items.filter((i) => i.status === 'success').length);
    return reply.code(batchStatus(items, allOk)).send({ data: items });
  };
  type ParentOf = (n: Record<string, unknown>, i: number) => Parent | ItemResult;
  const create = (req: FastifyRequest, reply: FastifyReply, parentOf: ParentOf) => {
    const data = dataOf(req, reply);
    if (!data) return;
    return answer(
      reply,
      data.map((n, i) => {
        const parent = parentOf(n, i);
        return 'code' in parent ? parent : createNote(store, stats, n, i, parent);
      }),
      201,
    );
  };
  app.post('/crm/v8/Notes', (req, reply) => create(req, reply, (n, i) => parentFromBody(store, n, i)));
  app.post('/crm/v8/:module/:id/Notes', (req, reply) => {
    const { module, id } = req.params as Params;
    if (!isParentModule(module))
      return zohoError(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid', { api_name: module });
    if (!store.records.get(module)!.has(id))
      return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id });
    return create(req, reply, () => ({ module, id }));
  });

  const update = (req: FastifyRequest, reply: FastifyReply, pathId?: string) => {
    const data = dataOf(req, reply);
    if (!data) return;
    return answer(
      reply,
      (pathId ? data.slice(0, 1) : data).map((n, i) => updateNote(store, n, i, pathId ?? n.id)),
      200,
    );
  };
  app.put('/crm/v8/Notes', (req, reply) => update(req, reply));
  app.put('/crm/v8/Notes/:id', (req, reply) => update(req, reply, (req.params as Params).id));

  app.get('/crm/v8/:module/:id/Notes', (req, reply) => {
    const { module, id } = req.params as Params;
    if (!isParentModule(module))
      return zohoError(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid', { api_name: module });
    const q = req.query as { fields?: string; page?: string; per_page?: string };
    const perPage = q.per_page === undefined ? 200 : Number(q.per_page);
    const page = q.page === undefined ? 1 : Number(q.page);
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 200)
      return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', { param_name: 'per_page' });
    if (!Number.isInteger(page) || page < 1)
      return zohoError(reply, 400, 'INVALID_DATA', 'invalid data', { param_name: 'page' });
    const all = notesOf(store, { module, id });
    const slice = all.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const fields = q.fields
      ?.split(',')
      .map((f) => f.trim())
      .filter(Boolean);
    return {
      data: slice.map((n) => store.render(n, fields)),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < all.length },
    };
  });

  // Test-only (not Zoho API): a record's notes as Zoho holds them, and how many the API created on it.
  app.get('/__admin/records/:module/:id/notes', (req, reply) => {
    const { module, id } = req.params as Params;
    if (!isParentModule(module)) return reply.code(404).send({ error: 'no such module' });
    return { notes: notesOf(store, { module, id }).map((n) => store.render(n)), created: stats.perParent.get(id) ?? 0 };
  });
}

export interface NotesOptions {
  stats: NoteStats;
  /** The write's `data` array, or undefined once the request-level error is sent (crm-http.ts). */
  dataOf: (req: FastifyRequest, reply: FastifyReply) => Record<string, unknown>[] | undefined;
  /** Counts records written by the API, notes included. */
  written: (count: number) => void;
}

/** A record's notes, newest first (the order of Zoho's UI; the API's default order is unconfirmed). */
export function notesOf(store: ZohoCrmStore, parent: Parent) {
  return [...store.records.get('Notes')!.values()]
    .filter((n) => {
      const p = n.Parent_Id as { id?: string; module?: { api_name?: string } } | undefined;
      return p?.id === parent.id && p.module?.api_name === parent.module;
    })
    .sort((a, b) => b._created - a._created || (a.id < b.id ? 1 : -1));
}

function createNote(
  store: ZohoCrmStore,
  stats: NoteStats,
  n: Record<string, unknown>,
  i: number,
  parent: Parent,
): ItemResult {
  const invalid = contentError(n, i, true);
  if (invalid) return invalid;
  const target = store.records.get(parent.module)!.get(parent.id)!;
  // Unconfirmed whether a note moves the parent's Modified_Time; here it does not, so a sync never sees its own notes.
  const note = store.create('Notes', {
    Note_Title: n.Note_Title ?? null,
    Note_Content: n.Note_Content ?? null,
    Parent_Id: {
      module: { api_name: parent.module, id: moduleId(parent.module) },
      name: displayName(target),
      id: parent.id,
    },
  });
  stats.noteCreates += 1;
  stats.perParent.set(parent.id, (stats.perParent.get(parent.id) ?? 0) + 1);
  return success(store, note, 'record added');
}

function updateNote(store: ZohoCrmStore, n: Record<string, unknown>, i: number, id: unknown): ItemResult {
  if (typeof id !== 'string')
    return itemError('MANDATORY_NOT_FOUND', 'required field not found', {
      api_name: 'id',
      json_path: `$.data[${i}].id`,
    });
  const invalid = contentError(n, i, false);
  if (invalid) return invalid;
  const fields = Object.fromEntries(
    (['Note_Title', 'Note_Content'] as const).filter((f) => f in n).map((f) => [f, n[f]]),
  );
  const updated = store.update('Notes', id, fields);
  return updated
    ? success(store, updated, 'record updated')
    : itemError('INVALID_DATA', 'the related id given seems to be invalid', { id });
}
