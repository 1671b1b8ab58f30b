import type { FastifyInstance } from 'fastify';

/** Form posts (what a Zoho workflow-rule webhook sends) read as an object of strings; a repeated key keeps its last value. */
export function registerFormBodies(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 1_048_576 },
    (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
}
