import { DEFAULT_DUPLICATE_CHECK, type Module, type ZohoCrmStore } from './crm-store.js';
import { type ItemResult, itemError } from './crm-errors.js';
import { checkRecord } from './crm-validate.js';

type Stored = { id: string; _created: number; _modified: number; Created_By?: unknown; Modified_By?: unknown };

export function success(
  store: ZohoCrmStore,
  rec: Stored,
  message: string,
  extra: Partial<ItemResult> = {},
): ItemResult {
  return {
    code: 'SUCCESS',
    message,
    status: 'success',
    ...extra,
    details: {
      id: rec.id,
      Created_Time: store.formatTime(rec._created),
      Modified_Time: store.formatTime(rec._modified),
      Created_By: rec.Created_By,
      Modified_By: rec.Modified_By,
    },
  };
}

export function insertRecords(store: ZohoCrmStore, module: Module, data: Record<string, unknown>[]): ItemResult[] {
  return data.map((rec, i) => {
    const checked = checkRecord(store, module, rec, i, true);
    return checked.ok ? success(store, store.create(module, checked.fields), 'record added') : checked.error;
  });
}

export function updateRecords(
  store: ZohoCrmStore,
  module: Module,
  data: Record<string, unknown>[],
  pathId?: string,
): ItemResult[] {
  return data.map((rec, i) => {
    const id = pathId ?? rec.id;
    if (typeof id !== 'string')
      return itemError('MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'id',
        json_path: `$.data[${i}].id`,
      });
    const checked = checkRecord(store, module, rec, i, false);
    if (!checked.ok) return checked.error;
    const updated = store.update(module, id, checked.fields);
    return updated
      ? success(store, updated, 'record updated')
      : itemError('INVALID_DATA', 'the related id given seems to be invalid', { id });
  });
}

/** Insert-or-update keyed on the duplicate-check fields; adds `action` and `duplicate_field` (crm-apis.md 2.5). */
export function upsertRecords(
  store: ZohoCrmStore,
  module: Module,
  data: Record<string, unknown>[],
  checkFields?: string[],
): ItemResult[] {
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
    const checked = checkRecord(store, module, rec, i, !existing);
    if (!checked.ok) return checked.error;
    if (existing) {
      return success(store, store.update(module, existing.id, checked.fields)!, 'record updated', {
        action: 'update',
        duplicate_field: matched,
      });
    }
    const created = store.create(module, checked.fields);
    all.push(created);
    return success(store, created, 'record added', { action: 'insert', duplicate_field: null });
  });
}

export function deleteRecords(store: ZohoCrmStore, module: Module, ids: string[]): ItemResult[] {
  return ids.map((id) =>
    store.remove(module, id)
      ? { code: 'SUCCESS', details: { id }, message: 'record deleted', status: 'success' }
      : itemError('INVALID_DATA', 'the related id given seems to be invalid', { id }),
  );
}
