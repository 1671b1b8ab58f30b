import { z } from 'zod';
import { type CleanValue, EXTRACT_FIELDS, type ExtractDomain, type FieldDef } from './extract-fields.js';
import { castValue, type ExtractRules } from './extract-rules.js';

/**
 * `records update`: which records (a key field and a value) get which new values. Field names are the extract's
 * (`size`) or the analysts' toolkit's (`deal_size`); the key may also be the CRM id (`id`, `deal_id`…). Values are
 * cast by the field's zod schema, enums through the same spelling maps as the extract.
 */
export const ID_KEYS: Record<ExtractDomain, string[]> = {
  accounts: ['id', 'account_id'],
  contacts: ['id', 'contact_id'],
  deals: ['id', 'deal_id'],
};

export class UpdateInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpdateInputError';
  }
}

function defs(domain: ExtractDomain): Record<string, FieldDef> {
  return EXTRACT_FIELDS[domain];
}

/** The extract's name of a field given by either name, or null. */
export function fieldName(domain: ExtractDomain, given: string): string | null {
  if (given in defs(domain)) return given;
  return Object.entries(defs(domain)).find(([, d]) => d.alias === given)?.[0] ?? null;
}

function fieldList(domain: ExtractDomain, writableOnly: boolean): string {
  return Object.entries(defs(domain))
    .filter(([, d]) => !writableOnly || d.writable)
    .map(([f, d]) => (d.alias ? `${f} (${d.alias})` : f))
    .join(', ');
}

const EXPECTED: Record<FieldDef['kind'], string> = {
  text: 'text',
  id: 'a CRM id',
  email: 'an email address',
  number: 'a number',
  percent: 'a percentage from 0 to 100',
  date: 'a date (YYYY-MM-DD)',
  datetime: 'an ISO date and time',
  enum: 'one of',
};

/** The zod schema a field's value is read with: a string from the command line or a JSON value from the API. */
export function fieldSchema(domain: ExtractDomain, field: string, rules: ExtractRules) {
  const def = defs(domain)[field]!;
  const expected = def.kind === 'enum' ? `one of ${def.values!.join(', ')}` : EXPECTED[def.kind];
  return z.union([z.string(), z.number(), z.null()]).transform((raw, ctx): CleanValue => {
    const cast = castValue(domain, field, typeof raw === 'string' && def.kind === 'number' ? raw.trim() : raw, rules);
    if (!cast.ok || (cast.value === null && raw !== null && raw !== '')) {
      ctx.addIssue({ code: 'custom', message: `${field}: ${JSON.stringify(raw)} is not ${expected}` });
      return z.NEVER;
    }
    return cast.value;
  });
}

export interface UpdatePlanInput {
  domain: ExtractDomain;
  key: string;
  value: string | number;
  set: Record<string, string | number | null>;
}
export interface UpdatePlan {
  domain: ExtractDomain;
  /** `id`: the CRM id; otherwise an extract field. */
  key: string;
  keyValue: CleanValue;
  set: Record<string, CleanValue>;
}

/** Checks and casts an update; throws UpdateInputError naming the field and what it expects. */
export function planUpdate(input: UpdatePlanInput, rules: ExtractRules): UpdatePlan {
  const { domain } = input;
  let key: string;
  let keyValue: CleanValue;
  if (ID_KEYS[domain].includes(input.key)) {
    key = 'id';
    keyValue = String(input.value).trim();
    if (!keyValue) throw new UpdateInputError(`${input.key}: an id is needed`);
  } else {
    const field = fieldName(domain, input.key);
    if (!field)
      throw new UpdateInputError(
        `unknown key field "${input.key}" for ${domain}; use ${ID_KEYS[domain].join(' or ')} or one of: ${fieldList(domain, false)}`,
      );
    key = field;
    keyValue = cast(domain, field, input.value, rules);
  }
  const entries = Object.entries(input.set);
  if (entries.length === 0) throw new UpdateInputError('nothing to set: give at least one FIELD=VALUE');
  const set: Record<string, CleanValue> = {};
  for (const [given, raw] of entries) {
    const field = fieldName(domain, given);
    if (!field)
      throw new UpdateInputError(
        `unknown field "${given}" for ${domain}; fields that can be set: ${fieldList(domain, true)}`,
      );
    if (!defs(domain)[field]!.writable)
      throw new UpdateInputError(
        `${given} cannot be written back to the CRM (derived or read-only); fields that can be set: ${fieldList(domain, true)}`,
      );
    set[field] = cast(domain, field, raw, rules);
    if (set[field] === null && rules.required[domain].includes(field))
      throw new UpdateInputError(`${given} is required by the extract's rules for ${domain}; it cannot be emptied`);
  }
  return { domain, key, keyValue, set };
}

function cast(domain: ExtractDomain, field: string, raw: string | number | null, rules: ExtractRules): CleanValue {
  const out = fieldSchema(domain, field, rules).safeParse(raw);
  if (!out.success) throw new UpdateInputError(out.error.issues.map((i) => i.message).join('; '));
  return out.data;
}

/** `FIELD=VALUE` pairs from the command line (the value may hold `=`); an empty value clears the field. */
export function parseAssignments(pairs: string[]): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UpdateInputError(`--set takes FIELD=VALUE, not "${pair}"`);
    const value = pair.slice(at + 1);
    out[pair.slice(0, at).trim()] = value === '' ? null : value;
  }
  return out;
}
