import { DEFAULT_DUPLICATE_CHECK, type Module, type ZohoCrmStore } from './crm-store.js';
import { type ItemResult, itemError } from './crm-errors.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Per-record validation: mandatory fields (on create) and field formats, with Zoho's error details. */
function validate(store: ZohoCrmStore, module: Module, rec: Record<string, unknown>, index: number, creating: boolean): ItemResult | undefined {
  if (creating) {
    for (const f of store.mandatory[module]) {
      if (rec[f] === undefined || rec[f] === null || rec[f] === '') {
        return itemError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: f, json_path: `$.data[${index}].${f}` });
      }
    }
  }
  if (rec.Email !== undefined && rec.Email !== null && !EMAIL.test(String(rec.Email))) {
    return itemError('INVALID_DATA', 'invalid data', { api_name: 'Email', json_path: `$.data[${index}].Email`, expected_data_type: 'email' });
  }
  if (rec.id !== undefined && typeof rec.id !== 'string') {
    return itemError('INVALID_DATA', 'invalid data', { api_name: 'id', json_path: `$.data[${index}].id`, expected_data_type: 'string' });
  }
  return undefined;
}

function success(store: ZohoCrmStore, rec: { id: string; _created: number; _modified: number; Created_By?: unknown; Modified_By?: unknown }, message: string, extra: Partial<ItemResult> = {}): ItemResult {
  return {
    code: 'SUCCESS', message, status: 'success', ...extra,
    details: {
      id: rec.id, Created_Time: store.formatTime(rec._created), Modified_Time: store.formatTime(rec._modified),
      Created_By: rec.Created_By, Modified_By: rec.Modified_By,
    },
  };
}

export function insertRecords(store: ZohoCrmStore, module: Module, data: Record<string, unknown>[]): ItemResult[] {
  return data.map((rec, i) => validate(store, module, rec, i, true) ?? success(store, store.create(module, strip(rec)), 'record added'));
}

export function updateRecords(store: ZohoCrmStore, module: Module, data: Record<string, unknown>[], pathId?: string): ItemResult[] {
  return data.map((rec, i) => {
    const id = pathId ?? rec.id;
    if (typeof id !== 'string') return itemError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'id', json_path: `$.data[${i}].id` });
    const invalid = validate(store, module, rec, i, false);
    if (invalid) return invalid;
    const updated = store.update(module, id, strip(rec));
    return updated ? success(store, updated, 'record updated') : itemError('INVALID_DATA', 'the related id given seems to be invalid', { id });
  });
}

/** Insert-or-update keyed on the duplicate-check fields; adds `action` and `duplicate_field` (crm-apis.md 2.5). */
export function upsertRecords(store: ZohoCrmStore, module: Module, data: Record<string, unknown>[], checkFields?: string[]): ItemResult[] {
  const fields = checkFields?.length ? checkFields : DEFAULT_DUPLICATE_CHECK[module];
  const all = [...store.records.get(module)!.values()];
  return data.map((rec, i) => {
    let existing = typeof rec.id === 'string' ? store.records.get(module)!.get(rec.id) : undefined;
    let matched: string | null = existing ? 'id' : null;
    for (const f of fields) {
      if (existing || rec[f] === undefined || rec[f] === null) continue;
      const want = String(rec[f]).toLowerCase();
      existing = all.find((r) => r[f] !== undefined && r[f] !== null && String(r[f]).toLowerCase() === want);
      if (existing) matched = f;
    }
    const invalid = validate(store, module, rec, i, !existing);
    if (invalid) return invalid;
    if (existing) return success(store, store.update(module, existing.id, strip(rec))!, 'record updated', { action: 'update', duplicate_field: matched });
    const created = store.create(module, strip(rec));
    all.push(created);
    return success(store, created, 'record added', { action: 'insert', duplicate_field: null });
  });
}

export function deleteRecords(store: ZohoCrmStore, module: Module, ids: string[]): ItemResult[] {
  return ids.map((id) => store.remove(module, id)
    ? { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' }
    : itemError('INVALID_DATA', 'the related id given seems to be invalid', { id }));
}

/** `$`-prefixed keys are metadata and never stored; ids are assigned by the server. */
function strip(rec: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(rec).filter(([k]) => !k.startsWith('$') && k !== 'id' && k !== 'Created_Time' && k !== 'Modified_Time'));
}
