import type { FastifyInstance } from 'fastify';
import type { FileExt } from '../common/files.js';
import type { HubSpotStore } from './hubspot-store.js';

/**
 * Test-only mutations of the portal (not HubSpot API): rename or delete a file, attach a new file to a deal
 * (optionally a byte-identical copy of another). Attaching touches the deal's hs_lastmodifieddate, as
 * associating a note does in HubSpot.
 */
export function registerHubSpotAdmin(app: FastifyInstance, store: HubSpotStore): void {
  app.post('/__admin/files/:id', async (req, reply) => {
    const f = store.files.get((req.params as { id: string }).id);
    if (!f) return reply.code(404).send({ error: 'no such file' });
    const body = (req.body ?? {}) as { name?: string };
    if (body.name) f.name = body.name;
    f.updatedAt = Date.now();
    return { id: f.id, name: f.name };
  });

  app.delete('/__admin/files/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    if (!store.files.delete(id)) return reply.code(404).send({ error: 'no such file' });
    for (const note of store.objects.get('notes')!.values()) {
      const ids = (note.properties.hs_attachment_ids ?? '').split(';').filter((x) => x && x !== id);
      note.properties.hs_attachment_ids = ids.length ? ids.join(';') : null;
    }
    return reply.code(204).send();
  });

  // Sets hs_lastmodifieddate of every deal (or the given ones) to one instant: a crowd of ties for search windows.
  app.post('/__admin/deals/touch', async (req) => {
    const body = (req.body ?? {}) as { at?: string; ids?: string[] };
    const at = body.at ? Date.parse(body.at) : Date.now();
    let n = 0;
    for (const deal of store.objects.get('deals')!.values()) {
      if (body.ids && !body.ids.includes(deal.id)) continue;
      deal.updatedAt = at;
      deal.properties.hs_lastmodifieddate = new Date(at).toISOString();
      n += 1;
    }
    return { touched: n };
  });

  app.post('/__admin/deals/:id/files', async (req, reply) => {
    const dealId = (req.params as { id: string }).id;
    const deal = store.objects.get('deals')!.get(dealId);
    if (!deal) return reply.code(404).send({ error: 'no such deal' });
    const body = (req.body ?? {}) as {
      name?: string;
      extension?: FileExt;
      size?: number;
      copyOf?: string;
      access?: 'PRIVATE' | 'PUBLIC_NOT_INDEXABLE';
    };
    const source = body.copyOf ? store.files.get(body.copyOf) : undefined;
    if (body.copyOf && !source) return reply.code(404).send({ error: 'no such file to copy' });
    const now = Date.now();
    const id = store.nextId(90_000_000_000);
    store.files.set(id, {
      id,
      name: body.name ?? `added-${id}`,
      extension: source?.extension ?? body.extension ?? 'txt',
      size: source?.size ?? body.size ?? 10_240,
      access: body.access ?? 'PRIVATE',
      createdAt: now,
      updatedAt: now,
      contentKey: source?.contentKey ?? `hubspot:added:${id}`,
    });
    const note = store.create(
      'notes',
      { hs_note_body: 'added file', hs_timestamp: new Date(now).toISOString(), hs_attachment_ids: id },
      now,
    );
    store.associate('deals', dealId, 'notes', note.id);
    deal.updatedAt = now;
    deal.properties.hs_lastmodifieddate = new Date(now).toISOString();
    return reply.code(201).send({ id, noteId: note.id });
  });
}
