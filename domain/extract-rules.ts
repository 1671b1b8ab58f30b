import { z } from 'zod';
import {
  type CleanRecord,
  type CleanValue,
  EXTRACT_DOMAINS,
  EXTRACT_FIELDS,
  type ExtractDomain,
  type FieldDef,
  type RawRecord,
  type RawValue,
  type RejectedRecord,
  type RejectReason,
} from './extract-fields.js';

/**
 * The extract's cleaning rules are data: which fields a domain requires, and how each enum field's CRM spellings map
 * onto its values (with what to do about a spelling nobody mapped). Connections may add to the defaults in their
 * `extract` options; domain code below only interprets the tables.
 */
export interface EnumRule {
  /** Spelling → value; keys are compared after `enumKey` (case, spaces and punctuation do not matter). */
  map: Record<string, string>;
  /** A spelling the map does not know: reject the record, or keep it with the field empty. */
  unknown: 'reject' | 'null';
}
export interface ExtractRules {
  required: Record<ExtractDomain, string[]>;
  /** Keyed `domain.field`, e.g. `deals.stage`. */
  enums: Record<string, EnumRule>;
}

/** "Closed Won", "closed-won" and "closedwon" are one key. */
export function enumKey(spelling: string): string {
  return spelling
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const spellings = (value: string, ...others: string[]) => Object.fromEntries([value, ...others].map((s) => [s, value]));

/**
 * What the toolkit required and how it mapped. Stage spellings include Zoho's standard stages and HubSpot's
 * default pipeline's internal ids; regions come from the account's country; contact sources from Zoho's Lead
 * Source picklist and HubSpot's original source (`hs_analytics_source`).
 */
export const DEFAULT_EXTRACT_RULES: ExtractRules = {
  required: { accounts: ['name'], contacts: ['lastName', 'email'], deals: ['name', 'stage', 'size'] },
  enums: {
    'deals.stage': {
      unknown: 'reject',
      map: {
        ...spellings('Prospecting', 'qualification', 'needs analysis', 'value proposition', 'id. decision makers'),
        ...spellings('Prospecting', 'appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'prospect'),
        ...spellings('Negotiation', 'negotiation/review', 'proposal/price quote', 'perception analysis'),
        ...spellings('Negotiation', 'decisionmakerboughtin', 'contractsent', 'negotiating'),
        ...spellings('Closed-Won', 'closed won', 'closedwon', 'won'),
        ...spellings('Closed-Lost', 'closed lost', 'closedlost', 'closed lost to competition', 'lost'),
      },
    },
    'accounts.region': {
      unknown: 'null',
      map: {
        ...spellings('North America', 'na', 'usa', 'us', 'united states', 'united states of america', 'canada'),
        ...spellings('North America', 'mexico'),
        ...spellings('Europe', 'eu', 'emea', 'germany', 'deutschland', 'france', 'united kingdom', 'uk', 'spain'),
        ...spellings('Europe', 'italy', 'netherlands', 'sweden', 'ireland', 'poland'),
        ...spellings('Asia', 'apac', 'japan', 'china', 'india', 'singapore', 'south korea', 'korea', 'vietnam'),
      },
    },
    'contacts.leadSource': {
      unknown: 'null',
      map: {
        ...spellings('Website', 'web', 'web download', 'web research', 'online store', 'chat', 'web site'),
        ...spellings('Website', 'organic_search', 'paid_search', 'direct_traffic', 'social_media'),
        ...spellings('Referral', 'referrals', 'external referral', 'employee referral', 'partner'),
        ...spellings('Email Campaign', 'email', 'email marketing', 'email_marketing', 'sales email alias'),
      },
    },
  },
};

const EnumRuleSchema = z.strictObject({
  map: z.record(z.string().min(1), z.string()).default({}),
  unknown: z.enum(['reject', 'null']).optional(),
});

/** A connection's `extract` options, checked when the connections file is applied. */
export const ExtractOptionsSchema = z
  .strictObject({
    required: z.partialRecord(z.enum(EXTRACT_DOMAINS), z.array(z.string())).optional(),
    enums: z.record(z.string(), EnumRuleSchema).optional(),
    /** IANA zone the aggregates' days, weeks and months are cut in (per account it may differ; this is the default). */
    timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone such as Europe/Berlin').default('UTC'),
  })
  .superRefine((o, ctx) => {
    for (const [domain, fields] of Object.entries(o.required ?? {}))
      for (const f of fields ?? [])
        if (!(f in EXTRACT_FIELDS[domain as ExtractDomain]))
          ctx.addIssue({ code: 'custom', path: ['required', domain], message: `${domain} has no field "${f}"` });
    for (const [key, rule] of Object.entries(o.enums ?? {})) {
      const def = enumDef(key);
      if (!def) {
        ctx.addIssue({
          code: 'custom',
          path: ['enums', key],
          message: `"${key}" is not an enum field (${enumFields()})`,
        });
        continue;
      }
      for (const [spelling, value] of Object.entries(rule.map))
        if (!def.values!.includes(value))
          ctx.addIssue({
            code: 'custom',
            path: ['enums', key, 'map', spelling],
            message: `maps to "${value}", which is not one of ${def.values!.join(', ')}`,
          });
    }
  });
export type ExtractOptions = z.infer<typeof ExtractOptionsSchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function enumDef(key: string): FieldDef | undefined {
  const [domain, field] = key.split('.');
  const def = (EXTRACT_FIELDS as Record<string, Record<string, FieldDef>>)[domain ?? '']?.[field ?? ''];
  return def?.kind === 'enum' ? def : undefined;
}
const enumFields = () =>
  EXTRACT_DOMAINS.flatMap((d) =>
    Object.entries(EXTRACT_FIELDS[d])
      .filter(([, f]) => (f as FieldDef).kind === 'enum')
      .map(([f]) => `${d}.${f}`),
  ).join(', ');

/** The defaults with a connection's additions: its required lists replace a domain's, its spellings add to a map. */
export function extractRules(options: unknown): ExtractRules {
  const parsed = ExtractOptionsSchema.parse(options ?? {});
  const enums: Record<string, EnumRule> = {};
  for (const [key, rule] of Object.entries(DEFAULT_EXTRACT_RULES.enums)) enums[key] = { ...rule, map: { ...rule.map } };
  for (const [key, rule] of Object.entries(parsed.enums ?? {})) {
    const base = enums[key] ?? { map: {}, unknown: 'reject' as const };
    enums[key] = { map: { ...base.map, ...rule.map }, unknown: rule.unknown ?? base.unknown };
  }
  return { required: { ...DEFAULT_EXTRACT_RULES.required, ...parsed.required }, enums };
}

/** The rules' spelling maps keyed by `enumKey`, built once per rules object. */
const keyedMaps = new WeakMap<ExtractRules, Map<string, Map<string, string>>>();
function keyedMap(rules: ExtractRules, key: string): Map<string, string> {
  let maps = keyedMaps.get(rules);
  if (!maps) keyedMaps.set(rules, (maps = new Map()));
  let map = maps.get(key);
  if (!map) {
    const values = enumDef(key)?.values ?? [];
    map = new Map(values.map((v) => [enumKey(v), v]));
    for (const [spelling, value] of Object.entries(rules.enums[key]?.map ?? {})) map.set(enumKey(spelling), value);
    maps.set(key, map);
  }
  return map;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

type Cast = { ok: true; value: CleanValue } | { ok: false; reason: RejectReason };
const invalid = (field: string, value: RawValue, expected: string): Cast => ({
  ok: false,
  reason: {
    code: 'INVALID_VALUE',
    field,
    value,
    message: `${field} is ${JSON.stringify(value)}, expected ${expected}`,
  },
});

/** One raw value as its field's kind; empty strings are absent values. */
export function castValue(domain: ExtractDomain, field: string, raw: RawValue, rules: ExtractRules): Cast {
  const def = (EXTRACT_FIELDS[domain] as Record<string, FieldDef>)[field];
  if (!def) return invalid(field, raw, 'a known field');
  if (raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === ''))
    return { ok: true, value: null };
  switch (def.kind) {
    case 'text':
    case 'id':
      return { ok: true, value: String(raw).trim() };
    case 'email': {
      const email = String(raw).trim().toLowerCase();
      return EMAIL.test(email) ? { ok: true, value: email } : invalid(field, raw, 'an email address');
    }
    case 'number':
    case 'percent': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw.replace(/[,\s]/g, '')) : NaN;
      if (!Number.isFinite(n)) return invalid(field, raw, 'a number');
      if (def.kind === 'percent' && (n < 0 || n > 100)) return invalid(field, raw, 'a percentage from 0 to 100');
      return { ok: true, value: n };
    }
    case 'date': {
      const s = String(raw).trim().slice(0, 10);
      return DATE.test(s) && !Number.isNaN(Date.parse(s)) ? { ok: true, value: s } : invalid(field, raw, 'a date');
    }
    case 'datetime': {
      const ms = typeof raw === 'number' ? raw : Date.parse(String(raw));
      return Number.isNaN(ms)
        ? invalid(field, raw, 'a date and time')
        : { ok: true, value: new Date(ms).toISOString() };
    }
    case 'enum': {
      const key = `${domain}.${field}`;
      const value = keyedMap(rules, key).get(enumKey(String(raw)));
      if (value) return { ok: true, value };
      if ((rules.enums[key]?.unknown ?? 'reject') === 'null') return { ok: true, value: null };
      return {
        ok: false,
        reason: {
          code: 'UNKNOWN_ENUM',
          field,
          value: raw,
          message: `${field} "${String(raw)}" maps to none of ${def.values!.join(', ')}; add the spelling to the connection's extract.enums["${key}"].map`,
        },
      };
    }
  }
}

/** One record: every field cast, then the required ones checked. The first problem rejects it. */
export function cleanRecord(
  domain: ExtractDomain,
  record: RawRecord,
  rules: ExtractRules,
): { ok: true; record: CleanRecord } | { ok: false; reason: RejectReason } {
  const values: Record<string, CleanValue> = {};
  for (const field of Object.keys(EXTRACT_FIELDS[domain])) {
    const cast = castValue(domain, field, record.values[field] ?? null, rules);
    if (!cast.ok) return cast;
    values[field] = cast.value;
  }
  for (const field of rules.required[domain])
    if (values[field] === null)
      return {
        ok: false,
        reason: { code: 'MISSING_REQUIRED', field, message: `${field} is required for ${domain} and is empty` },
      };
  return { ok: true, record: { id: record.id, modifiedAt: record.modifiedAt, values } };
}

/**
 * A batch of CRM records: one per CRM id (the latest modification wins; pages of a listing overlap), each kept
 * clean or rejected with its reason. Order follows the first appearance of each id.
 */
export function cleanBatch(
  domain: ExtractDomain,
  records: RawRecord[],
  rules: ExtractRules,
): { kept: CleanRecord[]; rejected: RejectedRecord[]; duplicates: number } {
  const latest = new Map<string, RawRecord>();
  for (const r of records) {
    const seen = latest.get(r.id);
    if (!seen || r.modifiedAt >= seen.modifiedAt) latest.set(r.id, r);
  }
  const kept: CleanRecord[] = [];
  const rejected: RejectedRecord[] = [];
  for (const r of latest.values()) {
    const out = cleanRecord(domain, r, rules);
    if (out.ok) kept.push(out.record);
    else rejected.push({ id: r.id, modifiedAt: r.modifiedAt, reason: out.reason });
  }
  return { kept, rejected, duplicates: records.length - latest.size };
}
