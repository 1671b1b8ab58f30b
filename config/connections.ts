import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { LeadSyncOptionsSchema } from '../domain/lead-policy.js';
import { ExtractOptionsSchema } from '../domain/extract-rules.js';
import { type CapabilityName, hasCapability, PROVIDERS, type ProviderName } from '../domain/providers.js';
import { type JobConfig, JobSchema } from './jobs.js';
import { ConfigError } from './env.js';

/**
 * A connection is one account of one provider. Secrets never live in the file: credentials are references
 * to environment variables (`{ "env": "ZOHO_REFRESH_TOKEN" }`), resolved only inside the worker.
 */
const SecretRef = z.strictObject({ env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable') });
const Id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes, at most 63');
const Url = z.url({ protocol: /^https?$/ });

export const ZOHO_REGIONS = ['com', 'eu', 'in', 'com.au', 'jp', 'com.cn', 'ca', 'sa'] as const;

export const BudgetSchema = z.strictObject({
  maxRequests: z.number().int().positive(),
  perMs: z.number().int().positive(),
  maxConcurrent: z.number().int().positive(),
  dailyLimit: z.number().int().positive().optional(),
});
export type Budget = z.infer<typeof BudgetSchema>;

/**
 * Provider defaults (crm-apis.md 2.6 and 4.7): HubSpot Professional private app; Zoho Standard edition. WorkDrive
 * publishes no limits (crm-apis.md 3): a conservative 300 a minute, 4 at once (an upload holds its slot throughout).
 */
export const DEFAULT_BUDGETS: Record<Provider, Budget> = {
  hubspot: { maxRequests: 190, perMs: 10_000, maxConcurrent: 10, dailyLimit: 650_000 },
  'zoho-crm': { maxRequests: 100, perMs: 10_000, maxConcurrent: 10, dailyLimit: 50_000 },
  'zoho-workdrive': { maxRequests: 300, perMs: 60_000, maxConcurrent: 4 },
  'dtools-si': { maxRequests: 120, perMs: 60_000, maxConcurrent: 4, dailyLimit: 10_000 },
};

/** Options every file-capable connection takes. */
const FileOptions = {
  /** Downloads past this many bytes are cut off and reported; unset = DEFAULT_MAX_DOWNLOAD_BYTES. */
  maxDownloadBytes: z.number().int().positive().optional(),
};
export const DEFAULT_MAX_DOWNLOAD_BYTES = 250 * 1024 * 1024;

const base = { id: Id, budget: BudgetSchema.optional(), options: z.looseObject(FileOptions).default({}) };
const zohoCredentials = z.strictObject({ clientId: SecretRef, clientSecret: SecretRef, refreshToken: SecretRef });

export const ConnectionSchema = z.discriminatedUnion('provider', [
  z.strictObject({
    ...base,
    provider: z.literal('hubspot'),
    options: z.looseObject({ extract: ExtractOptionsSchema.optional(), ...FileOptions }).default({}),
    baseUrls: z.strictObject({ api: Url.default('https://api.hubapi.com') }).default({ api: 'https://api.hubapi.com' }),
    credentials: z.strictObject({ accessToken: SecretRef }),
  }),
  z.strictObject({
    ...base,
    provider: z.literal('zoho-crm'),
    // Lead sync conflict and delete policies (domain/lead-policy.ts), checked when the file is applied.
    options: z
      .looseObject({
        leadSync: LeadSyncOptionsSchema.optional(),
        // The CRM extract's cleaning rules and time zone (domain/extract-rules.ts), checked when the file is applied.
        extract: ExtractOptionsSchema.optional(),
        ...FileOptions,
      })
      .default({}),
    region: z.enum(ZOHO_REGIONS).default('com'),
    // accounts: defaults to the region's accounts server; api: overrides the token response's api_domain.
    baseUrls: z.strictObject({ accounts: Url.optional(), api: Url.optional() }).default({}),
    credentials: zohoCredentials,
  }),
  z.strictObject({
    ...base,
    provider: z.literal('zoho-workdrive'),
    // pageSize: items per listing call (WorkDrive's default is 50; its official n8n node asks up to 200).
    options: z.looseObject({ pageSize: z.number().int().min(1).max(200).optional(), ...FileOptions }).default({}),
    region: z.enum(ZOHO_REGIONS).default('com'),
    // Tokens come from the same Zoho Accounts server as the CRM's. accounts: defaults to the region's; api: overrides
    // the token response's api_domain (the API is `<api>/workdrive/api/v1`); download: the host of file bytes,
    // by default the region's `download.zoho.<tld>` (crm-apis.md 3).
    baseUrls: z.strictObject({ accounts: Url.optional(), api: Url.optional(), download: Url.optional() }).default({}),
    credentials: zohoCredentials,
  }),
  z.strictObject({
    ...base,
    provider: z.literal('dtools-si'),
    baseUrls: z
      .strictObject({ api: Url.default('https://api.d-tools.com/si') })
      .default({ api: 'https://api.d-tools.com/si' }),
    credentials: z.strictObject({ apiKey: SecretRef }),
  }),
]);

export type ConnectionConfig = z.infer<typeof ConnectionSchema>;
export type Provider = ConnectionConfig['provider'];

export const ConnectionsFileSchema = z.strictObject({
  connections: z.array(ConnectionSchema),
  jobs: z.array(JobSchema).default([]),
});
export interface ConnectionsDocument {
  connections: ConnectionConfig[];
  jobs: JobConfig[];
}

/** Checked on the raw document so duplicates are reported alongside every other problem. */
function duplicateIds(doc: unknown): string[] {
  const list = (doc as { connections?: unknown })?.connections;
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  const problems: string[] = [];
  list.forEach((c, i) => {
    const id = (c as { id?: unknown })?.id;
    if (typeof id !== 'string') return;
    if (seen.has(id)) problems.push(`connections.${i}.id: duplicate connection id "${id}"`);
    seen.add(id);
  });
  return problems;
}

export function budgetOf(c: Pick<ConnectionConfig, 'provider' | 'budget'>): Budget {
  return c.budget ?? DEFAULT_BUDGETS[c.provider];
}

/** Validates a parsed connections document; throws one ConfigError listing every problem. */
export function parseConnections(doc: unknown, source = 'connections file'): ConnectionConfig[] {
  return parseConnectionsDocument(doc, source).connections;
}

/** Connections and the jobs that join them; a job must name connections that exist and can do its part. */
export function parseConnectionsDocument(doc: unknown, source = 'connections file'): ConnectionsDocument {
  const result = ConnectionsFileSchema.safeParse(doc);
  const problems = [
    ...(result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)),
    ...duplicateIds(doc),
    ...(result.success ? jobProblems(result.data.connections, result.data.jobs) : []),
  ];
  if (problems.length || !result.success) throw new ConfigError(problems.map((p) => `${source}: ${p}`));
  return result.data;
}

const isProvider = (name: string): name is ProviderName => (PROVIDERS as readonly string[]).includes(name);

function jobProblems(connections: ConnectionConfig[], jobs: JobConfig[]): string[] {
  const byId = new Map(connections.map((c) => [c.id, c]));
  const problems: string[] = [];
  const seen = new Set<string>();
  jobs.forEach((job, i) => {
    if (seen.has(job.id)) problems.push(`jobs.${i}.id: duplicate job id "${job.id}"`);
    seen.add(job.id);
    // Each part of the job, and what its connection must be able to do. The transfer reads a CRM module's records
    // and attachments, which only Zoho CRM offers here (until that is a capability of its own, the provider).
    const parts: Array<[string, string, CapabilityName | ProviderName]> =
      job.kind === 'deal-to-project'
        ? [
            ['crm', job.crm, 'deals'],
            ['si', job.si, 'projects'],
          ]
        : [
            ['source', job.source, 'zoho-crm'],
            ['destinationCrm', job.destinationCrm, 'zoho-crm'],
            ['workdrive', job.workdrive, 'folders'],
          ];
    for (const [key, id, need] of parts) {
      const c = byId.get(id);
      if (!c) problems.push(`jobs.${i}.${key}: no connection "${id}" in this file`);
      else if (isProvider(need) ? c.provider !== need : !hasCapability(c.provider, need as CapabilityName))
        problems.push(
          `jobs.${i}.${key}: connection "${c.id}" is ${c.provider}, ` +
            (isProvider(need) ? `not ${need}` : `which has no ${need}`),
        );
    }
    if (job.kind === 'workdrive-transfer' && job.source === job.destinationCrm)
      problems.push(`jobs.${i}.destinationCrm: must be another org's connection than source "${job.source}"`);
  });
  return problems;
}

export async function loadConnectionsFile(path: string): Promise<ConnectionsDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError([`${path}: not valid JSON (${(err as Error).message})`]);
  }
  return parseConnectionsDocument(doc, path);
}

/** Names of environment variables a connection needs that are unset; checked where the secrets are used. */
export function missingSecrets(c: ConnectionConfig, env: Record<string, string | undefined> = process.env): string[] {
  return Object.values(c.credentials)
    .map((ref) => ref.env)
    .filter((name) => !env[name]);
}

/** Resolves a connection's secret references. Only the worker calls this. */
export function resolveSecrets(
  c: ConnectionConfig,
  env: Record<string, string | undefined> = process.env,
): Record<string, string> {
  const missing = missingSecrets(c, env);
  if (missing.length)
    throw new ConfigError(missing.map((m) => `connection ${c.id}: environment variable ${m} is not set`));
  return Object.fromEntries(Object.entries(c.credentials).map(([k, ref]) => [k, env[ref.env] as string]));
}
