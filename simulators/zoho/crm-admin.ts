import type { FastifyInstance } from 'fastify';
import { MODULES, type Module, type ZohoCrmStore } from './crm-store.js';

type Params = { module: string; id: string };

/**
 * Test-only endpoints (not Zoho API) that act as a person working in the Zoho UI: edit or delete a record, or edit
 * many at one instant. They move Modified_Time like real edits and do not count as API writes.
 */
export function registerRecordAdmin(app: FastifyInstance, store: ZohoCrmStore): void {
  const moduleOf = (name: string): Module | undefined =>
    (MODULES as readonly string[]).includes(name) ? (name as Module) : undefined;

  app.get('/__admin/records/:module', (req, reply) => {
    const m = moduleOf((req.params as Params).module);
    if (!m) return reply.code(404).send({ error: 'no such module' });
    return { records: [...store.records.get(m)!.values()].map((r) => store.render(r)) };
  });

  app.patch('/__admin/records/:module/:id', (req, reply) => {
    const { module, id } = req.params as Params;
    const m = moduleOf(module);
    const body = req.body as { fields?: Record<string, unknown>; at?: number } | undefined;
    if (!m || !body?.fields) return reply.code(400).send({ error: 'module and body { fields, at? } needed' });
    const rec = store.update(m, id, body.fields, body.at ?? store.now());
    return rec ? store.render(rec) : reply.code(404).send({ error: 'no such record' });
  });

  app.delete('/__admin/records/:module/:id', (req, reply) => {
    const { module, id } = req.params as Params;
    const m = moduleOf(module);
    if (!m || !store.remove(m, id)) return reply.code(404).send({ error: 'no such record' });
    return reply.code(204).send();
  });

  /** An org layout change: which fields a new record of the module must have. */
  app.put('/__admin/layouts/:module/mandatory', (req, reply) => {
    const m = moduleOf((req.params as Params).module);
    const fields = (req.body as { fields?: unknown } | undefined)?.fields;
    if (!m || !Array.isArray(fields)) return reply.code(400).send({ error: 'module and body { fields: [] } needed' });
    store.mandatory[m] = fields.map(String);
    return { module: m, mandatory: store.mandatory[m] };
  });

  /** `{ count?, fields, at? }`: the first `count` records by id (all by default) get `fields`, all at one instant. */
  app.post('/__admin/records/:module/bulk-update', (req, reply) => {
    const m = moduleOf((req.params as Params).module);
    const body = req.body as { count?: number; fields?: Record<string, unknown>; at?: number } | undefined;
    if (!m || !body?.fields) return reply.code(400).send({ error: 'module and body { fields } needed' });
    const at = body.at ?? store.now();
    const targets = [...store.records.get(m)!.values()]
      .sort((a, b) => a.id.localeCompare(b.id))
      .slice(0, body.count ?? Infinity);
    for (const r of targets) store.update(m, r.id, body.fields, at);
    return { updated: targets.length, modifiedTime: store.formatTime(at) };
  });
}
