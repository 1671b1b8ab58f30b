import type { HsObject } from './hubspot-store.js';

export interface Filter {
  propertyName: string;
  operator: string;
  value?: string;
  values?: string[];
  highValue?: string;
}
export interface SearchBody {
  filterGroups?: Array<{ filters?: Filter[] }>;
  sorts?: Array<string | { propertyName: string; direction?: string }>;
  query?: string;
  properties?: string[];
  limit?: number;
  after?: string | number;
}

/** Limits of the CRM search endpoint (crm-apis.md 4.2); the stricter of the published numbers. */
export const SEARCH = {
  maxLimit: 200,
  maxResults: 10_000,
  maxGroups: 5,
  maxFiltersPerGroup: 6,
  maxFilters: 18,
} as const;

export function searchProblems(body: SearchBody): string | undefined {
  const groups = body.filterGroups ?? [];
  if (groups.length > SEARCH.maxGroups) return `too many filterGroups (max ${SEARCH.maxGroups})`;
  if (groups.some((g) => (g.filters ?? []).length > SEARCH.maxFiltersPerGroup))
    return `too many filters in a group (max ${SEARCH.maxFiltersPerGroup})`;
  if (groups.reduce((n, g) => n + (g.filters ?? []).length, 0) > SEARCH.maxFilters)
    return `too many filters (max ${SEARCH.maxFilters})`;
  if ((body.limit ?? 10) > SEARCH.maxLimit) return `limit must be at most ${SEARCH.maxLimit}`;
  return undefined;
}

function compare(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const ta = Date.parse(a);
  const tb = toTime(b);
  if (!Number.isNaN(ta) && !Number.isNaN(tb)) return ta - tb;
  return a.localeCompare(b);
}

/** Date filter values may be epoch-ms strings or ISO. */
function toTime(v: string): number {
  return /^\d+$/.test(v) ? Number(v) : Date.parse(v);
}

function test(f: Filter, obj: HsObject): boolean {
  const actual = obj.properties[f.propertyName] ?? (f.propertyName === 'hs_object_id' ? obj.id : null);
  const v = f.value ?? '';
  switch (f.operator) {
    case 'HAS_PROPERTY':
      return actual !== null && actual !== '';
    case 'NOT_HAS_PROPERTY':
      return actual === null || actual === '';
    case 'EQ':
      return actual !== null && compare(actual, v) === 0;
    case 'NEQ':
      return actual === null || compare(actual, v) !== 0;
    case 'LT':
      return actual !== null && compare(actual, v) < 0;
    case 'LTE':
      return actual !== null && compare(actual, v) <= 0;
    case 'GT':
      return actual !== null && compare(actual, v) > 0;
    case 'GTE':
      return actual !== null && compare(actual, v) >= 0;
    case 'BETWEEN':
      return actual !== null && compare(actual, v) >= 0 && compare(actual, f.highValue ?? '') <= 0;
    case 'IN':
      return actual !== null && (f.values ?? []).some((x) => compare(actual, x) === 0);
    case 'NOT_IN':
      return actual === null || !(f.values ?? []).some((x) => compare(actual, x) === 0);
    case 'CONTAINS_TOKEN':
      return actual !== null && actual.toLowerCase().includes(v.replace(/\*/g, '').toLowerCase());
    case 'NOT_CONTAINS_TOKEN':
      return actual === null || !actual.toLowerCase().includes(v.replace(/\*/g, '').toLowerCase());
    default:
      throw new Error(`unknown operator ${f.operator}`);
  }
}

/** Groups are OR-ed, filters inside a group AND-ed; default order is creation ascending; one sort rule. */
export function runSearch(objects: HsObject[], body: SearchBody): HsObject[] {
  const groups = (body.filterGroups ?? []).filter((g) => (g.filters ?? []).length > 0);
  let hits = objects.filter(
    (o) => !o.archived && (groups.length === 0 || groups.some((g) => g.filters!.every((f) => test(f, o)))),
  );
  if (body.query) {
    const q = body.query.toLowerCase();
    hits = hits.filter((o) => Object.values(o.properties).some((v) => v?.toLowerCase().includes(q)));
  }
  const sort = body.sorts?.[0];
  const rule =
    typeof sort === 'string'
      ? { propertyName: sort.replace(/^-/, ''), direction: sort.startsWith('-') ? 'DESCENDING' : 'ASCENDING' }
      : (sort ?? { propertyName: 'createdate', direction: 'ASCENDING' });
  const dir = rule.direction === 'DESCENDING' ? -1 : 1;
  return [...hits].sort(
    (a, b) =>
      dir *
      (compare(a.properties[rule.propertyName] ?? '', b.properties[rule.propertyName] ?? '') || compare(a.id, b.id)),
  );
}
