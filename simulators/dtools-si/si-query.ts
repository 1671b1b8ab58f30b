import { Errors } from './si-errors.js';

type Query = Record<string, unknown>;

/**
 * Query binding as ASP.NET Core does it: booleans `true`/`false` in any case, int32/int64 in digits, a bad value is
 * a 400 naming the parameter. Collections bind from a repeated key (`clients=a&clients=b`) or indexes
 * (`clients[0]=a`); `clients[]=a` and `clients=a,b` are not split (believed ASP.NET behaviour; the stricter reading).
 */
export class QueryReader {
  readonly errors = new Errors();
  constructor(private readonly q: Query) {}

  text(key: string): string | undefined {
    const v = this.q[key];
    const first = Array.isArray(v) ? v[0] : v;
    return typeof first === 'string' && first !== '' ? first : undefined;
  }

  bool(key: string, fallback = false): boolean {
    const v = this.text(key);
    if (v === undefined) return fallback;
    if (/^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    this.errors.add(key, `The value '${v}' is not valid for ${key}.`);
    return fallback;
  }

  int(key: string, fallback: number, min: number, max: number): number {
    const v = this.text(key);
    if (v === undefined) return fallback;
    const n = /^-?\d{1,18}$/.test(v) ? Number(v) : NaN;
    if (Number.isNaN(n)) this.errors.add(key, `The value '${v}' is not valid for ${key}.`);
    else if (n < min || n > max) this.errors.add(key, `${key} must be between ${min} and ${max}.`);
    return Number.isNaN(n) || n < min || n > max ? fallback : n;
  }

  list(key: string): string[] {
    const out: string[] = [];
    const direct = this.q[key];
    for (const v of Array.isArray(direct) ? direct : direct === undefined ? [] : [direct]) out.push(String(v));
    const indexed = Object.keys(this.q).filter((k) => k.startsWith(`${key}[`) && /^\[\d+\]$/.test(k.slice(key.length)));
    for (const k of indexed.sort((a, b) => index(a) - index(b))) out.push(String(this.q[k]));
    return out.filter((s) => s !== '');
  }
}

const index = (k: string) => Number(/\[(\d+)\]$/.exec(k)![1]);
