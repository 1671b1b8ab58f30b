import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { needs } from './wd-auth.js';
import type { BlobSink } from './wd-blobs.js';
import { type WdContext, touch } from './wd-context.js';
import { JSON_API, wdError, type WdErrorId } from './wd-errors.js';
import { boundaryOf, MultipartError, type PartReceiver, readParts } from './wd-multipart.js';
import { API_BASE, extnOf, mimeOf } from './wd-render.js';
import { nameProblem, type WdNode, wdId } from './wd-store.js';

const FIELD_MAX = 64 * 1024;
type Content = { sink: BlobSink; size: number; tooLarge: boolean; type?: string };

/** Fields of the multipart body; `content` goes to a blob sink as it arrives, the rest are small text parts. */
async function receive(ctx: WdContext, req: FastifyRequest, boundary: string) {
  const fields = new Map<string, string>();
  let content: Content | undefined;
  let contentParts = 0;
  const ignore: PartReceiver = { data: () => undefined, end: () => undefined };
  try {
    await readParts(req.body as AsyncIterable<Buffer>, boundary, (head) => {
      if (head.name === 'content') {
        if (++contentParts > 1) return ignore;
        const c: Content = (content = { sink: ctx.blobs.sink(), size: 0, tooLarge: false, type: head.contentType });
        return {
          data: async (chunk) => {
            c.size += chunk.length;
            if (c.tooLarge) return;
            if (c.size <= ctx.uploadLimitBytes) return c.sink.write(chunk);
            // Read on to the end without keeping anything, so the client gets the answer rather than a reset.
            c.tooLarge = true;
            await c.sink.abort();
          },
          end: () => undefined,
        };
      }
      const chunks: Buffer[] = [];
      let n = 0;
      return {
        data: (chunk) => {
          if ((n += chunk.length) > FIELD_MAX) throw new MultipartError(`the ${head.name} part is too long`);
          chunks.push(chunk);
        },
        end: () => void fields.set(head.name, Buffer.concat(chunks).toString('utf8')),
      };
    });
  } catch (err) {
    await (content as Content | undefined)?.sink.abort();
    throw err;
  }
  return { fields, content: content as Content | undefined, contentParts };
}

/**
 * `POST /upload` (crm-apis.md 3): multipart parts `content`, `parent_id`, `filename` (URL-encoded UTF-8),
 * `override-name-exist`. Every check runs once the body is read; only then is the file kept.
 */
export function registerUpload(app: FastifyInstance, ctx: WdContext): void {
  app.post(`${API_BASE}/upload`, needs('WorkDrive.files.CREATE'), async (req, reply) => {
    const boundary = boundaryOf(req.headers['content-type']);
    if (!boundary) return refuse(ctx, reply, 400, 'F000', 'the upload must be multipart/form-data');
    let got: Awaited<ReturnType<typeof receive>>;
    try {
      got = await receive(ctx, req, boundary);
    } catch (err) {
      if (err instanceof MultipartError) return refuse(ctx, reply, 400, 'F000', err.message);
      throw err;
    }
    const { fields, content } = got;
    const problem = check(ctx, got);
    if (problem) {
      await content?.sink.abort();
      return refuse(ctx, reply, ...problem);
    }
    const name = decodeURIComponent(fields.get('filename')!);
    const parent = ctx.store.liveFolder(fields.get('parent_id')!)!;
    const existing = ctx.store.clash(parent.id, name);
    const { ref, size } = await content!.sink.commit();
    const contentType = extnOf(name) || !content!.type ? mimeOf(name) : content!.type;
    let node: WdNode;
    if (existing) {
      // ⚠ override-name-exist=true on a clash: a new version of the same resource (same id).
      node = existing;
      Object.assign(node, { blob: ref, size, contentType, version: node.version + 1 });
      touch(ctx, node);
    } else {
      const now = Date.now();
      const by = ctx.store.identity.displayName;
      node = ctx.store.add({
        ...{ id: wdId(), name, parentId: parent.id, kind: 'file', createdAt: now, modifiedAt: now },
        ...{ trashedAt: null, createdBy: by, modifiedBy: by, contentType, size, blob: ref, version: 1 },
      });
    }
    ctx.stats.uploads += 1;
    ctx.stats.uploadBytes += size;
    return reply.type(JSON_API).send(uploadAnswer(ctx, node));
  });
}

type Problem = [number, WdErrorId, string];

function check(ctx: WdContext, got: Awaited<ReturnType<typeof receive>>): Problem | undefined {
  const { fields, content, contentParts } = got;
  if (content?.tooLarge) return [413, 'F000', `the file is larger than ${ctx.uploadLimitBytes} bytes`];
  // (ours, stricter) an empty content part counts as missing content.
  if (!content || content.size === 0) return [400, 'F000', 'content is missing'];
  if (contentParts > 1) return [400, 'F000', 'more than one content part'];
  const parentId = fields.get('parent_id');
  const encoded = fields.get('filename');
  // (ours, stricter) the name comes only from the `filename` part, never from the content part's own filename.
  if (!parentId || encoded === undefined) return [400, 'F000', 'parent_id and filename are required'];
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    return [400, 'F000', 'filename is not URL-encoded UTF-8'];
  }
  const bad = nameProblem(name);
  if (bad) return [400, 'F000', bad];
  const override = fields.get('override-name-exist') ?? 'false';
  if (override !== 'true' && override !== 'false') return [400, 'F000', 'override-name-exist must be true or false'];
  // ⚠ A parent that is not a folder of this org is 401, as for bad credentials (crm-apis.md 3); read the id.
  if (!ctx.store.liveFolder(parentId)) return [401, 'R502', 'no folder with this parent_id is accessible'];
  const existing = ctx.store.clash(parentId, name);
  // ⚠ (ours, stricter) the docs say both "false = keep both with timestamp" and "409 when not overriding": a
  // clash without override is 409 R504, so a client that counts on WorkDrive renaming for it finds out here.
  if (existing && (override === 'false' || existing.kind !== 'file')) return [409, 'R504', 'the name already exists'];
  return undefined;
}

function refuse(ctx: WdContext, reply: FastifyReply, status: number, id: WdErrorId, title: string) {
  ctx.stats.uploadsRejected += 1;
  return wdError(reply, status, id, title);
}

/** `{"data":[{"type":"files","attributes":{resource_id, parent_id, FileName, Permalink, "File INFO"}}]}`. */
function uploadAnswer(ctx: WdContext, node: WdNode) {
  const permalink = `${ctx.base()}/file/${node.id}`;
  // (ours) what "File INFO" holds is unconfirmed: a JSON string of the stored file's facts.
  const info = {
    RESOURCE_ID: node.id,
    PARENT_ID: node.parentId,
    FILENAME: node.name,
    EXTENSION: extnOf(node.name),
    CONTENT_TYPE: node.contentType,
    SIZE_IN_BYTES: node.size,
    VERSION: node.version,
    MODIFIED_TIME_IN_MILLISECOND: node.modifiedAt,
  };
  const attributes = {
    resource_id: node.id,
    parent_id: node.parentId,
    FileName: node.name,
    Permalink: permalink,
    'File INFO': JSON.stringify(info),
  };
  return { data: [{ type: 'files', attributes }] };
}
