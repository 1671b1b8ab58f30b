import { fieldOf, type FieldDef, USERS, userRef } from './crm-catalogue.js';
import { type ItemResult, itemError } from './crm-errors.js';
import type { Module, ZohoCrmStore } from './crm-store.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Zoho date-times carry an offset and no millis (crm-apis.md 2.3); `Z` is accepted as the zero offset. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;
/** Set by the server, never taken from a request body. */
const SERVER_FIELDS = new Set(['id', 'Created_Time', 'Modified_Time', 'Created_By', 'Modified_By']);

export type Checked = { ok: true; fields: Record<string, unknown> } | { ok: false; error: ItemResult };

/**
 * Per-record validation of a write: mandatory fields (on create) and each known field's type, in Zoho's per-record
 * error shape (crm-apis.md 2.5). Returns the fields to store: lookups written as `{ id }` come back as `{ name, id }`
 * (2.3), date-times in the org's offset, `$` keys and server fields dropped. Unknown API names are kept as given.
 */
export function checkRecord(
  store: ZohoCrmStore,
  module: Module,
  rec: Record<string, unknown>,
  index: number,
  creating: boolean,
): Checked {
  const fail = (code: string, message: string, api: string, extra: Record<string, unknown> = {}): Checked => ({
    ok: false,
    error: itemError(code, message, { api_name: api, json_path: `$.data[${index}].${api}`, ...extra }),
  });
  if (creating) {
    const missing = store.mandatory[module].find((f) => rec[f] === undefined || rec[f] === null || rec[f] === '');
    if (missing) return fail('MANDATORY_NOT_FOUND', 'required field not found', missing);
  }
  if (rec.id !== undefined && typeof rec.id !== 'string') {
    return fail('INVALID_DATA', 'invalid data', 'id', { expected_data_type: 'string' });
  }
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rec)) {
    if (key.startsWith('$') || SERVER_FIELDS.has(key)) continue;
    const def = fieldOf(module, key);
    const out = def && value !== null ? convert(store, def, value) : value;
    if (out === INVALID) {
      const expected = def!.type === 'ownerlookup' || def!.type === 'lookup' ? 'jsonobject' : def!.type;
      return fail('INVALID_DATA', 'invalid data', key, { expected_data_type: expected });
    }
    if (out === NO_SUCH_RECORD) {
      return fail('INVALID_DATA', 'the related id given seems to be invalid', key, { id: idOf(value) });
    }
    fields[key] = out;
  }
  return { ok: true, fields };
}

const INVALID = Symbol('invalid');
const NO_SUCH_RECORD = Symbol('no such record');

function convert(store: ZohoCrmStore, def: FieldDef, value: unknown): unknown {
  switch (def.type) {
    case 'email':
      return typeof value === 'string' && EMAIL.test(value) ? value : INVALID;
    case 'currency':
    case 'double':
      return typeof value === 'number' && Number.isFinite(value) ? value : INVALID;
    case 'integer':
      return Number.isInteger(value) ? value : INVALID;
    case 'boolean':
      return typeof value === 'boolean' ? value : INVALID;
    case 'date':
      return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) ? value : INVALID;
    case 'datetime': {
      const ms = typeof value === 'string' && DATE_TIME.test(value) ? Date.parse(value) : NaN;
      return Number.isNaN(ms) ? INVALID : store.formatTime(ms);
    }
    case 'ownerlookup': {
      const id = idOf(value);
      if (id === undefined) return INVALID;
      const user = USERS.find((u) => u.id === id);
      return user ? userRef(user) : NO_SUCH_RECORD;
    }
    case 'lookup': {
      const id = idOf(value);
      if (id === undefined || def.lookup === undefined || def.lookup === 'se_module')
        return id === undefined ? INVALID : value;
      const target = store.records.get(def.lookup)!.get(id);
      return target ? { name: displayName(target), id } : NO_SUCH_RECORD;
    }
    default:
      return typeof value === 'string' ? value : INVALID;
  }
}

function idOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** What a lookup, a deleted-record entry or a note's parent shows as the record's name. */
export function displayName(rec: Record<string, unknown>): string | null {
  if (rec.Deal_Name != null) return String(rec.Deal_Name);
  if (rec.Account_Name != null && typeof rec.Account_Name === 'string') return rec.Account_Name;
  if (rec.Last_Name != null) return [rec.First_Name, rec.Last_Name].filter((v) => v != null && v !== '').join(' ');
  if (rec.Note_Title != null) return String(rec.Note_Title);
  return null;
}
