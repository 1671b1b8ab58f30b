import type { FastifyInstance } from 'fastify';
import { FILE_TYPES, fileBytes } from '../common/files.js';
import { readForm } from '../common/multipart.js';
import { API_USER } from './crm-catalogue.js';
import { zohoError } from './crm-errors.js';
import { moduleOf } from './crm-http.js';
import type { Module, ZohoCrmStore } from './crm-store.js';

type Params = { module: string; id: string; attId: string };

/** Record attachments: list, download, delete, upload (crm-apis.md 2.1); ⚠ `Size` is a string (6.6). */
export function registerAttachments(app: FastifyInstance, store: ZohoCrmStore): void {
  app.get('/crm/v8/:module/:id/Attachments', (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const { id } = req.params as Params;
    const q = req.query as { page?: string; per_page?: string };
    const perPage = Math.min(Number(q.per_page ?? 200), 200);
    const page = Number(q.page ?? 1);
    const all = store.attachmentsOf(m, id).sort((a, b) => b.createdAt - a.createdAt);
    const slice = all.slice((page - 1) * perPage, page * perPage);
    if (slice.length === 0) return reply.code(204).send();
    const parent = store.records.get(m)!.get(id);
    const parentName = parent ? String(parent.Deal_Name ?? parent.Last_Name ?? parent.Account_Name ?? '') : null;
    return {
      data: slice.map((a) => ({
        id: a.id,
        File_Name: a.fileName,
        Size: String(a.size),
        $file_id: `sim_${a.id}`,
        $type: 'Attachment',
        $link_url: null,
        $se_module: m,
        Parent_Id: { name: parentName, id },
        Owner: API_USER,
        Created_Time: store.formatTime(a.createdAt),
        Modified_Time: store.formatTime(a.modifiedAt),
      })),
      info: { per_page: perPage, count: slice.length, page, more_records: page * perPage < all.length },
    };
  });

  app.get('/crm/v8/:module/:id/Attachments/:attId', (req, reply) => {
    const { module, id, attId } = req.params as Params;
    const a = store.attachments.get(attId);
    if (!a || a.parentModule !== module || a.parentId !== id) {
      return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id: attId });
    }
    const bytes = a.content ?? fileBytes(a.contentKey, a.ext === 'bin' ? 'txt' : a.ext, a.size);
    const mime = a.ext === 'bin' ? 'application/octet-stream' : FILE_TYPES[a.ext].mime;
    return reply
      .header('content-type', mime)
      .header('content-disposition', `attachment; filename="${encodeURIComponent(a.fileName)}"`)
      .send(bytes);
  });

  app.delete('/crm/v8/:module/:id/Attachments/:attId', (req, reply) => {
    const { module, id, attId } = req.params as Params;
    const a = store.attachments.get(attId);
    if (!a || a.parentModule !== module || a.parentId !== id) {
      return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id: attId });
    }
    store.attachments.delete(attId);
    store.touch(module as Module, id);
    return { data: [{ code: 'SUCCESS', details: { id: attId }, message: 'record deleted', status: 'success' }] };
  });

  app.post('/crm/v8/:module/:id/Attachments', async (req, reply) => {
    const m = moduleOf(req, reply);
    if (!m) return;
    const { id } = req.params as Params;
    if (!store.records.get(m)!.has(id))
      return zohoError(reply, 400, 'INVALID_DATA', 'the related id given seems to be invalid', { id });
    const form = await readForm(req.body, req.headers['content-type']);
    const file = form?.get('file');
    if (!file || typeof file === 'string')
      return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'file is missing', { param_name: 'file' });
    const content = Buffer.from(await file.arrayBuffer());
    const ext = (file.name.split('.').pop() ?? '').toLowerCase();
    const attId = store.nextId();
    const now = store.now();
    store.attachments.set(attId, {
      id: attId,
      parentModule: m,
      parentId: id,
      fileName: file.name,
      ext: ext in FILE_TYPES ? (ext as keyof typeof FILE_TYPES) : 'bin',
      size: content.length,
      createdAt: now,
      modifiedAt: now,
      content,
      contentKey: attId,
    });
    store.touch(m, id);
    const details = { id: attId, Created_Time: store.formatTime(now), Modified_Time: store.formatTime(now) };
    return { data: [{ code: 'SUCCESS', details, message: 'attachment uploaded', status: 'success' }] };
  });

  // Test-only (not Zoho API): rename an attachment.
  app.post('/__admin/attachments/:attId', (req, reply) => {
    const a = store.attachments.get((req.params as Params).attId);
    if (!a) return reply.code(404).send({ error: 'no such attachment' });
    const name = (req.body as { fileName?: string } | undefined)?.fileName;
    if (name) a.fileName = name;
    a.modifiedAt = store.now();
    store.touch(a.parentModule as Module, a.parentId);
    return { id: a.id, fileName: a.fileName };
  });
}
