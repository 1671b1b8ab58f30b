import type { FastifyInstance } from 'fastify';

/**
 * Keeps multipart and urlencoded bodies as raw buffers; routes parse them with the web-standard
 * `Response.formData()`, so the simulators need no multipart dependency.
 */
export function acceptRawForms(app: FastifyInstance, limitBytes = 300 * 1024 * 1024): void {
  app.addContentTypeParser(
    ['multipart/form-data', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer', bodyLimit: limitBytes },
    (_req, body, done) => done(null, body),
  );
}

export async function readForm(body: unknown, contentType: string | undefined): Promise<FormData | undefined> {
  if (!Buffer.isBuffer(body) || !contentType) return undefined;
  try {
    return await new Response(new Uint8Array(body), { headers: { 'content-type': contentType } }).formData();
  } catch {
    return undefined;
  }
}
