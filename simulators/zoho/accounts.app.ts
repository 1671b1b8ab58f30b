import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { FaultInjector, registerAdmin } from '../common/faults.js';
import { acceptRawForms, readForm } from '../common/multipart.js';
import type { ZohoAuthRegistry } from './zoho-auth.js';

/** Zoho Accounts: the OAuth token endpoint with the refresh-token grant and its quirks (crm-apis.md 1). */
export function buildZohoAccountsSimulator(opts: {
  auth: ZohoAuthRegistry;
  apiDomain: () => string;
  faults?: FaultInjector;
}): FastifyInstance {
  const app = Fastify({ logger: false });
  const faults = opts.faults ?? new FaultInjector();
  const { auth } = opts;
  acceptRawForms(app);
  // Framework-level failures answer in the token endpoint's own `{ error }` shape (crm-apis.md 1.2), not Fastify's.
  app.setErrorHandler((err: FastifyError, _req, reply) =>
    reply
      .code(err.statusCode && err.statusCode < 500 ? err.statusCode : 500)
      .send({ error: err.statusCode && err.statusCode < 500 ? 'invalid_request' : 'server_error' }),
  );
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: 'invalid_request', error_description: 'no such endpoint' }),
  );
  faults.install(app, () => ({ error: 'server_error' }));
  registerAdmin(app, faults, {
    stats: () => ({ mints: auth.mintCount }),
    reset: () => auth.reset(),
  });

  app.post('/oauth/v2/token', async (req, reply) => {
    // Parameters may come as a query string (docs) or a form body (SDK): accept both.
    const params = new Map<string, string>(Object.entries(req.query as Record<string, string>));
    const form = await readForm(req.body, req.headers['content-type']);
    form?.forEach((v, k) => {
      if (typeof v === 'string') params.set(k, v);
    });
    const fail = (error: string, description?: string, status: number = auth.config.errorStatus) =>
      reply.code(status).send(description ? { error, error_description: description } : { error });

    if (params.get('grant_type') !== 'refresh_token') return fail('unsupported_grant_type', undefined, 400);
    if (params.get('client_id') !== auth.config.clientId) return fail('invalid_client');
    if (params.get('client_secret') !== auth.config.clientSecret) return fail('invalid_client_secret');
    if (params.get('refresh_token') !== auth.config.refreshToken) return fail('invalid_code');
    const minted = auth.mint();
    if (!minted)
      return fail(
        'Access Denied',
        'You have made too many requests continuously. Please try again after some time.',
        400,
      );
    return {
      access_token: minted.token,
      scope: 'ZohoCRM.modules.ALL ZohoCRM.settings.READ',
      api_domain: opts.apiDomain(),
      token_type: 'Bearer',
      expires_in: minted.expiresInSec,
    };
  });
  app.post('/__admin/expire-tokens', async (_req, reply) => {
    auth.expireAll();
    return reply.code(204).send();
  });
  return app;
}
