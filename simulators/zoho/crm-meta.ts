import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FIELDS, isMetaModule, META_MODULES, type MetaModule, USERS } from './crm-catalogue.js';
import { zohoError } from './crm-errors.js';
import { modifiedSince } from './crm-list.js';
import { META_TIME, renderField, renderOrg, renderModule, renderRelatedList, renderUser } from './crm-meta-render.js';
import type { ZohoCrmStore } from './crm-store.js';

/** The `module` query parameter of a settings call, or the request-level error. */
function moduleParam(req: FastifyRequest, reply: FastifyReply): MetaModule | undefined {
  const { module } = req.query as { module?: string };
  if (isMetaModule(module)) return module;
  const [code, message] = module
    ? ['INVALID_MODULE', 'the module name given seems to be invalid']
    : ['REQUIRED_PARAM_MISSING', 'One of the expected parameter is missing'];
  void zohoError(reply, 400, code, message, { param_name: 'module' });
  return undefined;
}

/**
 * The metadata the official SDK reads before its first record call (fields, related lists, modules) and at start
 * (current user, org): shapes follow the v8 OAS examples (zoho/crm-oas `fields`, `modules`, `related_lists`,
 * `users`, `org`), trimmed to the keys a client reads.
 */
export function registerMetadata(app: FastifyInstance, store: ZohoCrmStore): void {
  app.get('/crm/v8/settings/modules', (req, reply) => {
    const since = modifiedSince(req);
    if (since !== undefined && since >= META_TIME) return reply.code(304).send();
    return { modules: META_MODULES.map((m) => renderModule(store, m)) };
  });
  app.get('/crm/v8/settings/modules/:name', (req, reply) => {
    const { name } = req.params as { name: string };
    if (!isMetaModule(name))
      return zohoError(reply, 400, 'INVALID_MODULE', 'the module name given seems to be invalid', { api_name: name });
    return { modules: [renderModule(store, name)] };
  });
  app.get('/crm/v8/settings/fields', (req, reply) => {
    const module = moduleParam(req, reply);
    if (!module) return;
    const mi = META_MODULES.indexOf(module) + 1;
    return { fields: FIELDS[module].map((f, fi) => renderField(store, module, f, mi, fi + 1)) };
  });
  app.get('/crm/v8/settings/related_lists', (req, reply) => {
    const module = moduleParam(req, reply);
    if (!module) return;
    if (module === 'Notes' || module === 'Attachments') return reply.code(204).send();
    const mi = META_MODULES.indexOf(module) + 1;
    return {
      related_lists: (['Notes', 'Attachments'] as const).map((rel, i) => renderRelatedList(module, rel, mi, i + 1)),
    };
  });
  app.get('/crm/v8/users', (req) => {
    const { type } = req.query as { type?: string };
    const users = type === 'CurrentUser' ? USERS.slice(0, 1) : USERS;
    return {
      users: users.map((u) => renderUser(store, u)),
      info: { per_page: 200, count: users.length, page: 1, more_records: false },
    };
  });
  app.get('/crm/v8/org', () => ({ org: [renderOrg(store)] }));
}
