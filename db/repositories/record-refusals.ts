import type { EntityManager } from '@mikro-orm/postgresql';

/** A record our tables refused: the statement's own words, and the SQLSTATE that says it was this record's fault. */
export interface Refusal<T> {
  item: T;
  sqlState: string;
  message: string;
}

/**
 * SQLSTATE classes that blame the data, not the database: 22 (a value out of range, too long, NUL, a bad date) and
 * 23 (unique, foreign key, check, not null). Another attempt with the same record fails the same way; anything else
 * (a lost connection, a deadlock, a timeout) may succeed on retry.
 */
export function refusedSqlState(err: unknown): string | undefined {
  for (
    let e = err as { code?: unknown; sqlState?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    for (const candidate of [e.sqlState, e.code]) {
      if (typeof candidate === 'string' && /^2[23][0-9A-Z]{3}$/.test(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The driver's message and detail (which names the key), without the SQL text MikroORM puts in front. */
export function refusalMessage(err: unknown): string {
  const pg = findPgError(err);
  const message = (pg?.message ?? (err as Error).message ?? String(err)).split(' - ').at(-1)!;
  return pg?.detail ? `${message} (${pg.detail})` : message;
}

function findPgError(err: unknown): { message: string; detail?: string } | undefined {
  for (
    let e = err as { detail?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.detail === 'string' || (typeof e.message === 'string' && !e.cause))
      return { message: String(e.message), detail: e.detail as string | undefined };
  }
  return undefined;
}

let savepoints = 0;

/**
 * Writes `items` in one statement; when our tables refuse it for a record's data (SQLSTATE 22/23), the batch is
 * rolled back to a savepoint and written one record at a time, each in a savepoint of its own, so one bad record
 * costs only itself. Must run inside a transaction. Returns what was refused; any other error is thrown.
 */
export async function writeEachOnRefusal<T>(
  em: EntityManager,
  items: T[],
  write: (items: T[]) => Promise<unknown>,
): Promise<Array<Refusal<T>>> {
  if (items.length === 0) return [];
  const refused: Array<Refusal<T>> = [];
  const attempt = async (batch: T[]): Promise<unknown> => {
    const name = `refusal_${++savepoints}`;
    await sql(em, `savepoint ${name}`);
    try {
      await write(batch);
      await sql(em, `release savepoint ${name}`);
      return undefined;
    } catch (err) {
      if (!refusedSqlState(err)) throw err;
      await sql(em, `rollback to savepoint ${name}`);
      return err;
    }
  };
  const whole = await attempt(items);
  if (!whole) return [];
  if (items.length === 1)
    return [{ item: items[0]!, sqlState: refusedSqlState(whole)!, message: refusalMessage(whole) }];
  for (const item of items) {
    const err = await attempt([item]);
    if (err) refused.push({ item, sqlState: refusedSqlState(err)!, message: refusalMessage(err) });
  }
  return refused;
}

async function sql(em: EntityManager, statement: string): Promise<void> {
  await em.getConnection().execute(statement, [], 'run', em.getTransactionContext());
}
