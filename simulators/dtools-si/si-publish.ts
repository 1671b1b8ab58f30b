import type { FastifyInstance } from 'fastify';
import { validationProblem } from './si-errors.js';
import type { SiQueue } from './si-queue.js';
import { checkChangeOrder, checkIdList, checkProject, checkUpdate } from './si-validate.js';

type Body = Record<string, unknown>;

/**
 * Publish endpoints (integration → SI). Each answers 200 as soon as the message is queued: success means "queued",
 * not "in SI" (crm-apis.md 6.11). A body that fails validation is refused at once with 400; a message that is well
 * formed but cannot be applied (a project that is not in SI) is accepted and ends as Failed when imported.
 * `message` texts are ours; the OpenAPI only says "Success Message".
 */
export function registerPublishRoutes(app: FastifyInstance, queue: SiQueue): void {
  app.post('/si/Publish/Projects', async (req, reply) => {
    const c = checkProject(req.body);
    if (!c.ok) return validationProblem(reply, c.errors);
    const m = queue.enqueue('project', [c.value.id], c.value as unknown as Body);
    return { projectId: c.value.id, messageId: m.id, message: 'Project queued for import into SI.' };
  });

  app.post('/si/Publish/Projects/Update', async (req, reply) => {
    const c = checkUpdate(req.body);
    if (!c.ok) return validationProblem(reply, c.errors);
    const m = queue.enqueue('update', [c.value.projectId], c.value as unknown as Body);
    return { messageId: m.id, message: 'Project update queued for import into SI.' };
  });

  app.post('/si/Publish/Projects/NewChangeOrder', async (req, reply) => {
    const c = checkChangeOrder(req.body);
    if (!c.ok) return validationProblem(reply, c.errors);
    const m = queue.enqueue('change-order', [c.value.projectId], c.value as unknown as Body);
    return { messageId: m.id, message: 'Change order queued for import into SI.' };
  });

  // "Must be checked in" (OpenAPI): the simulator has no check-out, so every project in SI counts as checked in.
  for (const [path, kind] of [
    ['ArchiveProjects', 'archive'],
    ['UnarchiveProjects', 'unarchive'],
  ] as const) {
    app.post(`/si/Publish/Projects/${path}`, async (req, reply) => {
      const c = checkIdList(req.body);
      if (!c.ok) return validationProblem(reply, c.errors);
      const m = queue.enqueue(kind, c.value, { projectIds: c.value });
      return { messageId: m.id, message: `${path} queued for import into SI.` };
    });
  }
}
