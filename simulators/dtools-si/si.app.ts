import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { registerSiAdmin } from './si-admin.js';
import { problem, problemBody, validationProblem } from './si-errors.js';
import { registerMessageRoutes } from './si-messages.js';
import { registerPublishRoutes } from './si-publish.js';
import type { SiQueue } from './si-queue.js';
import { registerSubscribeRoutes } from './si-subscribe.js';
import type { SiStore } from './si-store.js';

export interface DtoolsSiOptions {
  store: SiStore;
  queue: SiQueue;
  apiKey: string;
  faults?: FaultInjector;
}

/** JSON media types ASP.NET's input formatter reads. XML (also accepted by D-Tools) is not simulated: 415. */
const JSON_TYPES = /^(application\/([\w.-]+\+)?json|text\/json)\s*(;.*)?$/i;
class BadJson extends Error {}

/**
 * D-Tools System Integrator API under `/si` (crm-apis.md 5): the integration's publish queue, what the SI user
 * published, and the message status of publishes. Routes match case-sensitively as documented (ASP.NET would
 * not; the stricter reading catches a client that misspells a path).
 */
export function buildDtoolsSiSimulator(opts: DtoolsSiOptions): FastifyInstance {
  const { store, queue } = opts;
  // Kestrel's default request limit.
  const app = Fastify({ logger: false, bodyLimit: 30_000_000 });
  const faults = opts.faults ?? new FaultInjector();
  const stats = { requests: 0, unauthorized: 0 };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_TYPES, { parseAs: 'string' }, (_req, body, done) => {
    if (String(body).trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(String(body)));
    } catch (err) {
      done(new BadJson((err as Error).message), undefined);
    }
  });
  faults.install(app, (status) => (status === 401 ? '' : problemBody(status)));
  registerAdmin(app, faults, {
    stats: () => {
      const messages = { queued: 0, imported: 0, failed: 0 };
      for (const m of store.messages.values()) messages[m.state] += 1;
      return { ...stats, projects: store.projects.size, messages, publishCounts: store.publishCounts() };
    },
    reset: () => Object.assign(stats, { requests: 0, unauthorized: 0 }),
  });
  registerSiAdmin(app, store, queue);

  // ⚠ The key travels in X-DTSI-ApiKey; anything else is 401 with an empty body (crm-apis.md 5).
  app.addHook('onRequest', async (req, reply) => {
    if (req.url !== '/si' && !req.url.startsWith('/si/') && !req.url.startsWith('/si?')) return;
    stats.requests += 1;
    if (req.headers['x-dtsi-apikey'] !== opts.apiKey) {
      stats.unauthorized += 1;
      return reply.code(401).send();
    }
  });
  // An unknown route in ASP.NET is a bare 404.
  app.setNotFoundHandler((_req, reply) => reply.code(404).send());
  app.setErrorHandler((err: FastifyError, _req, reply) => {
    if (err instanceof BadJson) return validationProblem(reply, { $: [`${err.message} Path: $`] });
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return problem(reply, 415);
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return problem(reply, 413);
    return problem(reply, 500);
  });

  registerPublishRoutes(app, queue);
  registerSubscribeRoutes(app, store);
  registerMessageRoutes(app, store);
  app.addHook('onClose', async () => queue.stop());
  return app;
}
