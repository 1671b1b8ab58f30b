import { Errors, type FieldErrors } from './si-errors.js';
import {
  ADDRESSES,
  CO_CUSTOM_FIELDS,
  coerce,
  coerceText,
  type FieldType,
  GUID,
  numeric,
  PROJECT_FIELDS,
  PROJECT_LISTS,
  UPDATE_FIELD_IDS,
} from './si-fields.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };
type Obj = Record<string, unknown>;

export interface ProjectInput {
  id: string;
  fields: Obj;
}
export interface UpdateInput {
  projectId: string;
  updates: Obj;
  archive: boolean | null;
  newItems: Obj[];
  updateItems: Obj[];
  deleteComponentIds: string[];
  deleteSiItemIds: string[];
  addresses: Obj;
}
export interface ChangeOrderInput {
  projectId: string;
  integrationChangeOrderId: string;
  name: string;
  typeId: 1 | 2;
  notes: string | null;
  custom: Obj;
}

const ITEM_NUMBERS: Record<string, FieldType> = {
  quantity: 'number',
  unitCost: 'number',
  unitPrice: 'number',
  discount: 'number',
  laborHours: 'number',
};
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown) => typeof v === 'string' && v.trim() !== '';

/** The body as an object, or the errors ASP.NET gives for an empty body or a JSON value of the wrong kind. */
function root(body: unknown, errors: Errors): Obj | undefined {
  if (body === undefined) errors.add('', 'A non-empty request body is required.');
  else if (!isObj(body)) errors.add('$', 'The JSON value could not be converted to the request type. Path: $');
  return isObj(body) ? body : undefined;
}

function guid(value: unknown, key: string, errors: Errors): string {
  if (!text(value)) errors.add(key, `The ${key} field is required.`);
  else if (!GUID.test(value as string)) errors.add(key, `The ${key} field must be a GUID.`);
  return typeof value === 'string' ? value.toLowerCase() : '';
}

function typed(source: Obj, table: Record<string, FieldType>, errors: Errors, path = '$'): Obj {
  const out: Obj = {};
  for (const [key, type] of Object.entries(table)) {
    if (!(key in source)) continue;
    const r = coerce(type, source[key]);
    if ('error' in r) errors.add(`${path}.${key}`, `${r.error} Path: ${path}.${key}`);
    else out[key] = r.value;
  }
  return out;
}

/** ProjectItem: only products (1) and labor (2) can be published; manufacturer and model are required for both. */
function items(value: unknown, key: string, errors: Errors): Obj[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    errors.add(`$.${key}`, `The JSON value could not be converted to a list. Path: $.${key}`);
    return [];
  }
  const out: Obj[] = [];
  value.forEach((item: unknown, i) => {
    const at = `${key}[${i}]`;
    if (!isObj(item)) {
      errors.add(at, 'An item must be an object.');
      return;
    }
    if (!text(item.id)) errors.add(`${at}.id`, 'The id field is required.');
    if (![1, 2].includes(numeric(item.typeId))) {
      errors.add(`${at}.typeId`, 'Only product (1) and labor (2) items can be published to a project.');
    }
    for (const f of ['manufacturer', 'model']) {
      if (!text(item[f])) errors.add(`${at}.${f}`, `The ${f} field is required.`);
    }
    out.push({ ...item, typeId: numeric(item.typeId), ...typed(item, ITEM_NUMBERS, errors, `$.${at}`) });
  });
  return out;
}

/** `Project` for POST /Publish/Projects: `id` (GUID), `client` and `name` required; unknown fields dropped. */
export function checkProject(body: unknown): Checked<ProjectInput> {
  const errors = new Errors();
  const b = root(body, errors);
  if (!b) return { ok: false, errors: errors.map };
  const id = guid(b.id, 'id', errors);
  for (const f of ['client', 'name']) if (!text(b[f])) errors.add(f, `The ${f} field is required.`);
  const fields = typed(b, PROJECT_FIELDS, errors);
  fields.items = items(b.items, 'items', errors);
  for (const list of PROJECT_LISTS) if (list !== 'items' && Array.isArray(b[list])) fields[list] = b[list];
  for (const a of ADDRESSES) if (isObj(b[a])) fields[a] = b[a];
  return errors.any ? { ok: false, errors: errors.map } : { ok: true, value: { id, fields } };
}

/** `UpdateProject`: `projectId` and `updateFields` with the ids of si-fields.ts UPDATE_FIELD_IDS. */
export function checkUpdate(body: unknown): Checked<UpdateInput> {
  const errors = new Errors();
  const b = root(body, errors);
  if (!b) return { ok: false, errors: errors.map };
  const projectId = guid(b.projectId, 'projectId', errors);
  const updates: Obj = {};
  const fields = b.updateFields ?? [];
  if (!Array.isArray(fields)) errors.add('$.updateFields', 'The JSON value could not be converted to a list.');
  else
    fields.forEach((f: unknown, i) => {
      const at = `updateFields[${i}]`;
      const id = isObj(f) ? numeric(f.projectFieldId) : NaN;
      const target = UPDATE_FIELD_IDS[id];
      if (!isObj(f) || !target) {
        errors.add(`${at}.projectFieldId`, 'Unknown projectFieldId.');
        return;
      }
      if (f.value !== null && f.value !== undefined && typeof f.value !== 'string') {
        errors.add(`$.${at}.value`, 'The JSON value could not be converted to System.String.');
        return;
      }
      const r = coerceText(PROJECT_FIELDS[target]!, (f.value as string | undefined) ?? null);
      if ('error' in r) errors.add(`${at}.value`, r.error);
      else updates[target] = r.value;
    });
  if (b.archive !== undefined && b.archive !== null && typeof b.archive !== 'boolean') {
    errors.add('$.archive', 'The JSON value could not be converted to System.Boolean.');
  }
  const strings = (key: string): string[] => (Array.isArray(b[key]) ? b[key].filter((s) => typeof s === 'string') : []);
  const addresses = Object.fromEntries(ADDRESSES.filter((a) => isObj(b[a])).map((a) => [a, b[a]]));
  const value: UpdateInput = {
    projectId,
    updates,
    archive: typeof b.archive === 'boolean' ? b.archive : null,
    newItems: items(b.newProjectItems, 'newProjectItems', errors),
    updateItems: Array.isArray(b.updateProjectItems) ? b.updateProjectItems.filter(isObj) : [],
    deleteComponentIds: strings('componentIdsToDelete'),
    deleteSiItemIds: strings('siItemIdsToDelete'),
    addresses,
  };
  return errors.any ? { ok: false, errors: errors.map } : { ok: true, value };
}

/** `NewChangeOrderInfo`: `projectId`, `integrationChangeOrderId`, `name` required; `typeId` 1 or 2. */
export function checkChangeOrder(body: unknown): Checked<ChangeOrderInput> {
  const errors = new Errors();
  const b = root(body, errors);
  if (!b) return { ok: false, errors: errors.map };
  const projectId = guid(b.projectId, 'projectId', errors);
  for (const f of ['integrationChangeOrderId', 'name']) if (!text(b[f])) errors.add(f, `The ${f} field is required.`);
  // A non-nullable byte in the schema: when absent .NET reads 0, which is neither type (stricter: refused).
  const typeId = numeric(b.typeId);
  if (typeId !== 1 && typeId !== 2) errors.add('typeId', 'typeId must be 1 (Internal) or 2 (External).');
  const { notes } = typed(b, { notes: 'string' }, errors);
  const custom = typed(b, CO_CUSTOM_FIELDS, errors);
  if (errors.any) return { ok: false, errors: errors.map };
  return {
    ok: true,
    value: {
      projectId,
      integrationChangeOrderId: b.integrationChangeOrderId as string,
      name: b.name as string,
      typeId: typeId as 1 | 2,
      notes: (notes as string | null | undefined) ?? null,
      custom,
    },
  };
}

/** ArchiveProjects / UnarchiveProjects: a JSON array of project ids. */
export function checkIdList(body: unknown): Checked<string[]> {
  const errors = new Errors();
  if (body === undefined) errors.add('', 'A non-empty request body is required.');
  else if (!Array.isArray(body)) errors.add('$', 'The JSON value could not be converted to System.String[]. Path: $');
  else
    body.forEach((id: unknown, i) => {
      if (typeof id !== 'string' || !GUID.test(id)) errors.add(`[${i}]`, 'The value is not a GUID.');
    });
  if (errors.any) return { ok: false, errors: errors.map };
  return { ok: true, value: (body as string[]).map((s) => s.toLowerCase()) };
}
