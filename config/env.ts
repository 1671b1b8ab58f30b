import { z } from 'zod';

/** Every environment variable crm-sync reads, parsed once at an entry point and passed down as typed values. */
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean),
);

export const EnvSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  API_KEYS: csv.pipe(z.array(z.string().min(16, 'each API key needs at least 16 characters'))).default([]),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/crm_sync'),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('crm-sync'),
  TEMPORAL_UI_URL: z.url().default('http://localhost:8233'),
  /**
   * Workflows the worker keeps in memory between their tasks (about 1 MB each). A burst of requests runs one
   * workflow per deal; past this many, the least recent is evicted and replayed from its (short) history when its
   * next task comes. Measured with 1,000 deals pushed at once (worker peak RSS, deals/s): 100 cached 376 MiB, 9.8/s;
   * 40 cached 314 MiB, 8.0–9.0/s; 20 cached 306 MiB, 7.3/s.
   */
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).max(100_000).default(40),
  /** Threads running workflow code, each a V8 isolate holding the workflow bundle: more help only on many cores. */
  WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  TOKEN_ENCRYPTION_KEY: z.string().refine(isKey32, 'must be 32 bytes, base64 or hex encoded (openssl rand -base64 32)'),
  CONNECTIONS_FILE: z.string().min(1).default('config/connections.default.json'),
  /** Downloaded file content lives in `<DATA_DIR>/content`, content-addressed. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Where `crm-sync transfer workdrive` writes `migration_YYYYMMDD.log` (the existing script's log name). */
  LOG_DIR: z.string().min(1).default('logs'),
});

export type Env = z.infer<typeof EnvSchema>;

function isKey32(value: string): boolean {
  return decodeKey(value)?.length === 32;
}

export function decodeKey(value: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  const b = Buffer.from(value, 'base64');
  return b.length === 32 ? b : undefined;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the given environment; throws one ConfigError listing every problem. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  return parseWith(EnvSchema, source);
}

/** For entry points that need only part of the environment (e.g. `db:migrate` needs just DATABASE_URL). */
export function parseWith<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.output<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
}

/** Loads `.env` when present, so entry points behave the same under `npm run` and plain shells. */
export function loadDotEnv(path = '.env'): void {
  try {
    process.loadEnvFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** For entry points: a configuration error prints once and exits with code 2. */
export function exitOnConfigError(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(2);
  }
  throw err;
}
