import { createHash, timingSafeEqual } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { FastifyRequest } from 'fastify';
import { JobsRepository } from '../db/repositories/jobs.repository.js';

/** Paths a CRM workflow rule may call with a job's webhook token instead of an API key (POST only). */
export const WEBHOOK_PATHS = [/^\/si-requests\/?$/, /^\/api\/si\/?$/, /^\/crm-updates\/?$/, /^\/api\/crm\/?$/];
const digest = (s: string) => createHash('sha256').update(s).digest();
const JOB = Symbol('webhookJob');

/** The token a request carries: `?token=` (what a Zoho webhook URL can hold) or the `X-Webhook-Token` header. */
export function webhookTokenOf(req: FastifyRequest): string | undefined {
  const header = req.headers['x-webhook-token'];
  if (typeof header === 'string' && header) return header;
  const token = new URL(req.url, 'http://x').searchParams.get('token');
  return token || undefined;
}

/**
 * Finds the job whose webhook token (an env var named in the connections file, read by this process) the request
 * carries; constant-time comparisons, every job checked. Marks the request with the job when one matches.
 */
export async function acceptWebhookToken(
  orm: MikroORM,
  req: FastifyRequest,
  env: Record<string, string | undefined> = process.env,
): Promise<boolean> {
  const token = webhookTokenOf(req);
  if (!token || req.method !== 'POST' || !WEBHOOK_PATHS.some((p) => p.test(req.url.split('?')[0]!))) return false;
  const given = digest(token);
  let match: string | undefined;
  for (const job of await new JobsRepository(orm.em.fork()).dealToProject()) {
    const secret = job.webhookToken ? env[job.webhookToken.env] : undefined;
    if (secret && timingSafeEqual(digest(secret), given) && !match) match = job.id;
  }
  if (match) (req as unknown as Record<symbol, string>)[JOB] = match;
  return match !== undefined;
}

/** The job a webhook token named, for requests authenticated that way. */
export function webhookJobOf(req: FastifyRequest): string | undefined {
  return (req as unknown as Record<symbol, string | undefined>)[JOB];
}
