/**
 * Zoho search criteria: `(Field:operator:value)` joined by `and` / `or`, nested with parentheses, values
 * escaping `(`, `)` and `,` with a backslash (crm-apis.md 2.2). At most 10 criteria.
 */
export type Criterion = { field: string; op: string; value: string };
export type Expr = { kind: 'leaf'; c: Criterion } | { kind: 'and' | 'or'; left: Expr; right: Expr };

export class CriteriaError extends Error {}

export function parseCriteria(input: string): Expr {
  let i = 0;
  let count = 0;
  const peek = () => input[i];
  const expectChar = (ch: string) => {
    if (input[i] !== ch) throw new CriteriaError(`expected '${ch}' at ${i}`);
    i += 1;
  };
  const parseGroup = (): Expr => {
    expectChar('(');
    let node: Expr;
    if (peek() === '(') {
      node = parseSeq();
    } else {
      let raw = '';
      while (i < input.length && input[i] !== ')') {
        if (input[i] === '\\' && i + 1 < input.length) {
          raw += input[i + 1];
          i += 2;
          continue;
        }
        raw += input[i];
        i += 1;
      }
      const [field, op, ...rest] = raw.split(':');
      if (!field || !op || rest.length === 0) throw new CriteriaError(`bad criterion "${raw}"`);
      count += 1;
      node = { kind: 'leaf', c: { field, op, value: rest.join(':') } };
    }
    expectChar(')');
    return node;
  };
  const parseSeq = (): Expr => {
    let left = parseGroup();
    for (;;) {
      const m = /^(and|or)/i.exec(input.slice(i));
      if (!m) return left;
      i += m[0].length;
      left = { kind: m[0].toLowerCase() as 'and' | 'or', left, right: parseGroup() };
    }
  };
  const expr = parseSeq();
  if (i !== input.length) throw new CriteriaError(`unexpected text at ${i}`);
  if (count > 10) throw new CriteriaError('more than 10 criteria');
  return expr;
}

export function matches(expr: Expr, rec: Record<string, unknown>): boolean {
  if (expr.kind !== 'leaf') {
    return expr.kind === 'and'
      ? matches(expr.left, rec) && matches(expr.right, rec)
      : matches(expr.left, rec) || matches(expr.right, rec);
  }
  const { field, op, value } = expr.c;
  const raw = rec[field];
  const actual =
    raw && typeof raw === 'object' && 'name' in raw
      ? String((raw as { name: unknown }).name)
      : raw == null
        ? ''
        : String(raw);
  const a = actual.toLowerCase();
  const v = value.toLowerCase();
  switch (op) {
    case 'equals':
      return a === v;
    case 'not_equal':
      return a !== v;
    case 'starts_with':
      return a.startsWith(v);
    case 'in':
      return value
        .split(',')
        .map((s) => s.toLowerCase())
        .includes(a);
    case 'greater_than':
      return compare(actual, value) > 0;
    case 'greater_equal':
      return compare(actual, value) >= 0;
    case 'less_than':
      return compare(actual, value) < 0;
    case 'less_equal':
      return compare(actual, value) <= 0;
    default:
      throw new CriteriaError(`unsupported operator "${op}"`);
  }
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && a !== '' && b !== '') return na - nb;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return a.localeCompare(b);
}
