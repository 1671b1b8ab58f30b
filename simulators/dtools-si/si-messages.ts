import type { FastifyInstance } from 'fastify';
import { problem, validationProblem } from './si-errors.js';
import { GUID, MESSAGE_STATUS } from './si-fields.js';
import { QueryReader } from './si-query.js';
import { messageStatus } from './si-render.js';
import type { SiStore } from './si-store.js';

type Q = Record<string, unknown>;

/** Message API: the fate of what the integration published (queued → imported or failed). */
export function registerMessageRoutes(app: FastifyInstance, store: SiStore): void {
  app.get('/si/Message/PublishedMessageStatus', async (req, reply) => {
    const messageId = new QueryReader(req.query as Q).text('messageId');
    if (!messageId || !GUID.test(messageId)) {
      return validationProblem(reply, { messageId: [`The value '${messageId ?? ''}' is not valid for messageId.`] });
    }
    const m = store.messages.get(messageId.toLowerCase());
    return m ? messageStatus(m) : problem(reply, 404, { detail: `No message ${messageId}.` });
  });

  app.get('/si/Message/PublishedMessagesStatus', async (req, reply) => {
    const r = new QueryReader(req.query as Q);
    const statuses = r.list('messageStatusIds').map(Number);
    const types = r.list('messageTypeIds').map(Number);
    const pageNumber = r.int('pageNumber', 1, 1, 2 ** 31 - 1);
    const pageSize = r.int('pageSize', 50, 1, 100);
    if ([...statuses, ...types].some((n) => !Number.isInteger(n) || n < 0 || n > 255)) {
      r.errors.add('messageStatusIds', 'Ids are bytes.');
    }
    if (r.errors.any) return validationProblem(reply, r.errors.map);
    const hits = [...store.messages.values()].filter(
      (m) =>
        (!statuses.length || statuses.includes(MESSAGE_STATUS[m.state])) && (!types.length || types.includes(m.typeId)),
    );
    const start = (pageNumber - 1) * pageSize;
    return { messageStatuses: hits.slice(start, start + pageSize).map(messageStatus), totalCount: hits.length };
  });
}
