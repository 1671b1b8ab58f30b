import type { FastifyInstance } from 'fastify';
import { needs } from './wd-auth.js';
import type { WdContext } from './wd-context.js';
import { wdError } from './wd-errors.js';
import { DOWNLOAD_BASE } from './wd-render.js';

/**
 * ⚠ Downloads live on another host (`download.zoho.<tld>`, here a path prefix of the same server) and need
 * `ZohoFiles.files.READ`, not a WorkDrive scope (crm-apis.md 3, 6.10). Folders and items in the trash are 404
 * (ours). No Range support (ours).
 */
export function registerDownload(app: FastifyInstance, ctx: WdContext): void {
  app.get(`${DOWNLOAD_BASE}/:id`, needs('ZohoFiles.files.READ'), async (req, reply) => {
    const node = ctx.store.nodes.get((req.params as { id: string }).id);
    if (!node || node.kind !== 'file' || !node.blob || ctx.store.inTrash(node)) return wdError(reply, 404, 'R501');
    const bytes = await ctx.blobs.read(node.blob, node.size);
    if (!bytes) {
      console.error(`zoho-workdrive: the bytes of ${node.id} (${node.name}) are missing from the state dir`);
      return wdError(reply, 500, 'F000');
    }
    ctx.stats.downloads += 1;
    const ascii = node.name.replace(/[^\x20-\x7e]|["\\]/g, '_');
    return reply
      .type(node.contentType ?? 'application/octet-stream')
      .header('content-length', String(node.size))
      .header(
        'content-disposition',
        `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(node.name)}`,
      )
      .send(bytes);
  });
}
