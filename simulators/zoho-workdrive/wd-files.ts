import type { FastifyInstance } from 'fastify';
import { needs } from './wd-auth.js';
import type { WdContext } from './wd-context.js';
import { JSON_API, wdError } from './wd-errors.js';
import { sendList } from './wd-list.js';
import { API_BASE, resource } from './wd-render.js';

type P = { id: string };

/** Reads of one file or folder and of a folder's children (crm-apis.md 3). */
export function registerFileReads(app: FastifyInstance, ctx: WdContext): void {
  const { store } = ctx;
  const read = needs('WorkDrive.files.READ');

  // (ours) an item in the trash is still found by id, with status 51.
  app.get(`${API_BASE}/files/:id`, read, async (req, reply) => {
    const node = store.nodes.get((req.params as P).id);
    if (!node) return wdError(reply, 404, 'R501');
    return reply.type(JSON_API).send({ data: resource(store, ctx.base(), node) });
  });

  /** Files and folders in a folder (not in the trash); `/folders` keeps only folders. */
  for (const [suffix, keep] of [
    ['files', () => true],
    ['folders', (kind: string) => kind !== 'file'],
  ] as const) {
    app.get(`${API_BASE}/files/:id/${suffix}`, read, async (req, reply) => {
      const folder = store.liveFolder((req.params as P).id);
      if (!folder) return wdError(reply, 404, 'R501');
      return sendList(
        ctx,
        req,
        reply,
        store.children(folder.id).filter((n) => keep(n.kind)),
      );
    });
  }

  app.get(`${API_BASE}/files/:id/trashedfiles`, read, async (req, reply) => {
    const folder = store.nodes.get((req.params as P).id);
    if (!folder || folder.kind === 'file') return wdError(reply, 404, 'R501');
    return sendList(ctx, req, reply, store.children(folder.id, true));
  });
}
