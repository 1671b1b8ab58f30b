import { type ItemResult, itemError } from './crm-errors.js';
import { MODULES, type Module, type ZohoCrmStore } from './crm-store.js';

/** The record a note belongs to. */
export type Parent = { module: Module; id: string };

const TITLE_MAX = 120;

/** Modules whose records can hold notes. */
export const isParentModule = (m: unknown): m is Module =>
  typeof m === 'string' && (MODULES as readonly string[]).includes(m) && m !== 'Notes';

/**
 * The parent of a note sent to `POST /Notes`: v8 `Parent_Id: { module: { api_name }, id }`, or the older
 * `Parent_Id: "<id>"` with `se_module` (also seen as `$se_module`) (crm-apis.md 2.4).
 */
export function parentFromBody(store: ZohoCrmStore, n: Record<string, unknown>, i: number): Parent | ItemResult {
  const raw = n.Parent_Id;
  const path = `$.data[${i}].Parent_Id`;
  if (raw === undefined || raw === null || raw === '')
    return itemError('MANDATORY_NOT_FOUND', 'required field not found', { api_name: 'Parent_Id', json_path: path });
  const v8 = typeof raw === 'object' ? (raw as { id?: unknown; module?: { api_name?: unknown } }) : undefined;
  const id = v8 ? v8.id : raw;
  const module = v8 ? v8.module?.api_name : (n.se_module ?? n.$se_module);
  if (!isParentModule(module)) {
    const at = v8 ? `${path}.module.api_name` : `$.data[${i}].se_module`;
    return itemError(
      module === undefined ? 'MANDATORY_NOT_FOUND' : 'INVALID_DATA',
      module === undefined ? 'required field not found' : 'invalid data',
      { api_name: 'se_module', json_path: at },
    );
  }
  if (typeof id !== 'string' || !store.records.get(module)!.has(id)) {
    return itemError('INVALID_DATA', 'the related id given seems to be invalid', {
      api_name: 'Parent_Id',
      json_path: path,
      id,
    });
  }
  return { module, id };
}

/** A note needs a title or a content (OAS `EXPECTED_FIELD_MISSING`); a title has at most 120 characters. */
export function contentError(n: Record<string, unknown>, i: number, creating: boolean): ItemResult | undefined {
  const given = (f: 'Note_Title' | 'Note_Content') => typeof n[f] === 'string' && n[f] !== '';
  for (const f of ['Note_Title', 'Note_Content'] as const) {
    if (n[f] !== undefined && n[f] !== null && typeof n[f] !== 'string') {
      return itemError('INVALID_DATA', 'invalid data', {
        api_name: f,
        json_path: `$.data[${i}].${f}`,
        expected_data_type: 'text',
      });
    }
  }
  if (typeof n.Note_Title === 'string' && n.Note_Title.length > TITLE_MAX) {
    return itemError('INVALID_DATA', 'invalid data', {
      api_name: 'Note_Title',
      json_path: `$.data[${i}].Note_Title`,
      maximum_length: TITLE_MAX,
    });
  }
  if (creating && !given('Note_Title') && !given('Note_Content')) {
    return itemError('EXPECTED_FIELD_MISSING', 'should contain either content or title', {
      expected_fields: ['Note_Content', 'Note_Title'].map((f) => ({ api_name: f, json_path: `$.data[${i}].${f}` })),
    });
  }
  return undefined;
}
