import type { FastifyInstance } from 'fastify';
import { zohoError } from './crm-errors.js';
import { MODULES, type Module, type ZohoCrmStore } from './crm-store.js';

/**
 * `POST /crm/v8/coql` (crm-apis.md 2.1, 2.2), the subset a sync needs: `select <fields> from <Module> where <cond>
 * [(and|or) <cond>]… [limit n [offset m] | limit m, n]`, each condition `Field = 'v'` or `Field in ('a', 'b')`.
 * Limits as documented: ≤50 select columns, ≤25 conditions, ≤50 `in` values, LIMIT ≤2,000, WHERE required.
 * Unknown: whether real COQL compares text case-insensitively; the stricter reading (exact match) is used here.
 */
export function registerCoql(app: FastifyInstance, store: ZohoCrmStore): void {
  app.post('/crm/v8/coql', (req, reply) => {
    const query = (req.body as { select_query?: unknown } | undefined)?.select_query;
    if (typeof query !== 'string' || !query.trim())
      return zohoError(reply, 400, 'REQUIRED_PARAM_MISSING', 'select_query is missing', { param_name: 'select_query' });
    let parsed: Parsed;
    try {
      parsed = parse(query);
    } catch (err) {
      const code = err instanceof LimitError ? 'LIMIT_EXCEEDED' : 'SYNTAX_ERROR';
      return zohoError(reply, 400, code, (err as Error).message, {
        clause: (err as { clause?: string }).clause ?? 'where',
      });
    }
    const rows = [...store.records.get(parsed.module)!.values()]
      .map((r) => store.render(r))
      .filter((r) =>
        parsed.joiner === 'and' ? parsed.conds.every((c) => test(c, r)) : parsed.conds.some((c) => test(c, r)),
      );
    const slice = rows.slice(parsed.offset, parsed.offset + parsed.limit);
    if (slice.length === 0) return reply.code(204).send();
    return {
      data: slice.map((r) =>
        Object.fromEntries([['id', r.id], ...parsed.fields.filter((f) => f !== 'id').map((f) => [f, r[f] ?? null])]),
      ),
      info: { count: slice.length, more_records: parsed.offset + slice.length < rows.length },
    };
  });
}

interface Cond {
  field: string;
  values: string[];
}
interface Parsed {
  fields: string[];
  module: Module;
  conds: Cond[];
  joiner: 'and' | 'or';
  limit: number;
  offset: number;
}

class CoqlSyntaxError extends Error {
  constructor(
    message: string,
    readonly clause: string,
  ) {
    super(message);
  }
}
class LimitError extends Error {
  constructor(
    message: string,
    readonly clause: string,
  ) {
    super(message);
  }
}

const QUERY =
  /^\s*select\s+(.+?)\s+from\s+(\w+)\s+where\s+(.+?)(?:\s+limit\s+(\d+)(?:\s*(?:,\s*(\d+)|\s+offset\s+(\d+)))?)?\s*;?\s*$/is;

function parse(query: string): Parsed {
  const m = QUERY.exec(query);
  if (!m) throw new CoqlSyntaxError('select … from … where … expected', 'select');
  const fields = m[1]!.split(',').map((f) => f.trim());
  if (fields.some((f) => !/^\w+$/.test(f))) throw new CoqlSyntaxError('select takes field API names', 'select');
  if (fields.length > 50) throw new LimitError('at most 50 select columns', 'select');
  if (!(MODULES as readonly string[]).includes(m[2]!)) throw new CoqlSyntaxError(`unknown module ${m[2]}`, 'from');
  const { conds, joiner } = parseWhere(m[3]!);
  // `limit m, n` is offset m, count n; `limit n offset m` the same.
  const [limit, offset] = m[5] !== undefined ? [Number(m[5]), Number(m[4])] : [Number(m[4] ?? 200), Number(m[6] ?? 0)];
  if (limit < 1 || limit > 2000) throw new LimitError('LIMIT is at most 2000', 'limit');
  if (offset + limit > 100_000) throw new LimitError('at most 100000 records through offset', 'limit');
  return { fields, module: m[2] as Module, conds, joiner, limit, offset };
}

function parseWhere(where: string): { conds: Cond[]; joiner: 'and' | 'or' } {
  const conds: Cond[] = [];
  const joiners = new Set<string>();
  let i = 0;
  const skip = () => {
    while (/\s/.test(where[i] ?? '')) i++;
  };
  for (;;) {
    skip();
    const field = /^\w+/.exec(where.slice(i))?.[0];
    if (!field) throw new CoqlSyntaxError(`field expected at ${i}`, 'where');
    i += field.length;
    skip();
    let values: string[];
    if (where[i] === '=') {
      i += 1;
      skip();
      values = [readString()];
    } else if (/^in\b/i.test(where.slice(i))) {
      i += 2;
      skip();
      if (where[i] !== '(') throw new CoqlSyntaxError(`( expected at ${i}`, 'where');
      i += 1;
      values = [];
      for (;;) {
        skip();
        values.push(readString());
        skip();
        if (where[i] === ',') {
          i += 1;
          continue;
        }
        if (where[i] === ')') {
          i += 1;
          break;
        }
        throw new CoqlSyntaxError(`, or ) expected at ${i}`, 'where');
      }
      if (values.length > 50) throw new LimitError('an in list takes at most 50 values', 'where');
    } else {
      throw new CoqlSyntaxError(`= or in expected at ${i}`, 'where');
    }
    conds.push({ field, values });
    if (conds.length > 25) throw new LimitError('at most 25 where criteria', 'where');
    skip();
    if (i >= where.length) break;
    const joiner = /^(and|or)\b/i.exec(where.slice(i))?.[0];
    if (!joiner) throw new CoqlSyntaxError(`and / or expected at ${i}`, 'where');
    joiners.add(joiner.toLowerCase());
    i += joiner.length;
  }
  // Mixing and/or needs parentheses in real COQL; this simulator does not parse them.
  if (joiners.size > 1) throw new CoqlSyntaxError('mixed and/or without parentheses', 'where');
  return { conds, joiner: joiners.has('and') ? 'and' : 'or' };

  function readString(): string {
    if (where[i] !== "'") throw new CoqlSyntaxError(`quoted value expected at ${i}`, 'where');
    let out = '';
    for (i += 1; i < where.length; i++) {
      if (where[i] === '\\' && i + 1 < where.length) {
        out += where[++i];
        continue;
      }
      if (where[i] === "'") {
        i += 1;
        return out;
      }
      out += where[i];
    }
    throw new CoqlSyntaxError('unterminated string', 'where');
  }
}

function test(c: Cond, r: Record<string, unknown>): boolean {
  const v = r[c.field];
  return typeof v === 'string' || typeof v === 'number' ? c.values.includes(String(v)) : false;
}
