import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { mayAlso, needs } from './wd-auth.js';
import { type WdContext, touch } from './wd-context.js';
import { JSON_API, wdError } from './wd-errors.js';
import { API_BASE, resource } from './wd-render.js';
import { nameProblem, type WdNode, wdId } from './wd-store.js';

// (ours, stricter) JSON:API bodies are checked strictly: an unknown attribute (a typo like `parentId`) is 400.
const PatchBody = z.object({
  data: z.strictObject({
    id: z.string().optional(),
    type: z.literal('files'),
    attributes: z
      .strictObject({ name: z.string(), parent_id: z.string(), status: z.enum(['1', '51']) })
      .partial()
      .refine((a) => Object.keys(a).length > 0, 'no attribute to change'),
  }),
});
const CreateBody = z.object({
  data: z.strictObject({
    type: z.literal('files'),
    attributes: z.strictObject({ name: z.string(), parent_id: z.string() }),
  }),
});

const issue = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

/** Rename, move, trash and restore (`PATCH /files/{id}`), and folder creation (`POST /files`). */
export function registerFileWrites(app: FastifyInstance, ctx: WdContext): void {
  const { store } = ctx;
  const answer = (reply: FastifyReply, node: WdNode, status = 200) => {
    ctx.stats.writes += 1;
    return reply
      .code(status)
      .type(JSON_API)
      .send({ data: resource(store, ctx.base(), node) });
  };

  app.patch(`${API_BASE}/files/:id`, needs('WorkDrive.files.UPDATE'), async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const body = PatchBody.safeParse(req.body);
    if (!body.success) return wdError(reply, 400, 'F000', issue(body.error));
    const { id: bodyId, attributes: a } = body.data.data;
    if (bodyId !== undefined && bodyId !== id) return wdError(reply, 400, 'F000', 'data.id differs from the path');
    const node = store.nodes.get(id);
    if (!node) return wdError(reply, 404, 'R501');
    if (node.kind === 'teamfolder' && (a.parent_id !== undefined || a.status !== undefined))
      return wdError(reply, 403, 'R502', 'a team folder cannot be moved or trashed here');
    if (a.status === '51') {
      // (ours, stricter) trashing needs the DELETE scope, and is not combined with a rename or move.
      if (!mayAlso(req, 'WorkDrive.files.DELETE')) return wdError(reply, 401, 'INVALID_OAUTHSCOPE');
      if (a.name !== undefined || a.parent_id !== undefined)
        return wdError(reply, 400, 'F000', 'status cannot change together with name or parent_id');
      if (node.trashedAt === null) node.trashedAt = Date.now();
      touch(ctx, node);
      return answer(reply, node);
    }
    if (a.status === '1' && node.trashedAt !== null) {
      if (!store.liveFolder(node.parentId)) return wdError(reply, 404, 'R503');
      if (store.clash(node.parentId, node.name)) return wdError(reply, 409, 'R504');
      node.trashedAt = null;
    }
    if (store.inTrash(node)) return wdError(reply, 404, 'R501', 'the resource is in the trash');
    const parentId = a.parent_id ?? node.parentId;
    if (a.parent_id !== undefined) {
      if (!store.liveFolder(a.parent_id)) return wdError(reply, 404, 'R503');
      if (a.parent_id === node.parentId) return wdError(reply, 400, 'R509');
      if (store.isWithin(a.parent_id, node.id)) return wdError(reply, 400, 'F000', 'a folder cannot move into itself');
    }
    const name = a.name ?? node.name;
    const bad = a.name === undefined ? undefined : nameProblem(a.name);
    if (bad) return wdError(reply, 400, 'F000', bad);
    if (store.clash(parentId, name, node.id)) return wdError(reply, 409, 'R504');
    Object.assign(node, { name, parentId });
    touch(ctx, node);
    return answer(reply, node);
  });

  app.post(`${API_BASE}/files`, needs('WorkDrive.files.CREATE'), async (req, reply) => {
    const body = CreateBody.safeParse(req.body);
    if (!body.success) return wdError(reply, 400, 'F000', issue(body.error));
    const { name, parent_id: parentId } = body.data.data.attributes;
    const bad = nameProblem(name);
    if (bad) return wdError(reply, 400, 'F000', bad);
    if (!store.liveFolder(parentId)) return wdError(reply, 404, 'R503');
    // (ours, stricter) a clash is 409 rather than a renamed folder.
    if (store.clash(parentId, name)) return wdError(reply, 409, 'R504');
    const now = Date.now();
    const by = store.identity.displayName;
    const node = store.add({
      ...{ id: wdId(), name, parentId, kind: 'folder', createdAt: now, modifiedAt: now, trashedAt: null },
      ...{ createdBy: by, modifiedBy: by, contentType: null, size: 0, blob: null, version: 1 },
    });
    return answer(reply, node, 201);
  });
}
