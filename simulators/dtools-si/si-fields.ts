/**
 * The D-Tools SI wire vocabulary as the public OpenAPI states it (crm-apis.md 5; api.d-tools.com/si/openapi/v1.json):
 * field names and types of `Project`, the `UpdateProjectField` ids, message type and status ids.
 */
export type FieldType = 'string' | 'number' | 'date' | 'boolean';

/** Canonical 8-4-4-4-12 form only; .NET also parses braces and 32 hex digits, the stricter reading refuses them. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `Project` fields an integration may send; SI ignores what it does not know, like System.Text.Json does. */
export const PROJECT_FIELDS: Record<string, FieldType> = {
  integrationProjectId: 'string',
  client: 'string',
  clientId: 'string',
  integrationClientId: 'string',
  clientNumber: 'string',
  name: 'string',
  progress: 'string',
  templateName: 'string',
  assignedTo: 'string',
  salesRep: 'string',
  projectManager: 'string',
  designer: 'string',
  currencyCode: 'string',
  productPriceType: 'string',
  clientPONumber: 'string',
  accountingEstimateNumbers: 'string',
  scopeOfWork: 'string',
  notes: 'string',
  productTaxId: 'string',
  laborTaxId: 'string',
  currencyRate: 'number',
  cost: 'number',
  priceWithoutTax: 'number',
  margin: 'number',
  markup: 'number',
  tax: 'number',
  price: 'number',
  hours: 'number',
  budget: 'number',
  startDate: 'date',
  endDate: 'date',
  estimatedCloseDate: 'date',
  closeDate: 'date',
  quantityBased: 'boolean',
  isItemLevelTax: 'boolean',
  approved: 'boolean',
  ...customFields('customField', 75, [
    [15, 18, 'number'],
    [19, 22, 'date'],
    [23, 26, 'boolean'],
    [55, 64, 'number'],
    [65, 75, 'boolean'],
  ]),
};

/** Lists and addresses kept as sent (items are checked separately). */
export const PROJECT_LISTS = [
  'items',
  'packages',
  'contacts',
  'resources',
  'locations',
  'systems',
  'taxes',
  'miscItems',
  'paymentTerms',
] as const;
export const ADDRESSES = ['siteAddress', 'billingAddress'] as const;

/** `coCustomField1..65` of NewChangeOrderInfo and of a change order's Project view. */
export const CO_CUSTOM_FIELDS: Record<string, FieldType> = customFields('coCustomField', 65, [
  [15, 18, 'number'],
  [19, 22, 'date'],
  [23, 26, 'boolean'],
  [55, 65, 'boolean'],
]);

function customFields(prefix: string, count: number, ranges: Array<[number, number, FieldType]>) {
  const out: Record<string, FieldType> = {};
  for (let n = 1; n <= count; n++) out[`${prefix}${n}`] = ranges.find(([a, b]) => n >= a && n <= b)?.[2] ?? 'string';
  return out;
}

/**
 * `UpdateProjectField.projectFieldId` → Project field. ⚠ The OpenAPI text maps 101–154 to customField1..54 and
 * then 155–165 to customField65..75: customField55..64 (decimals) have no id and cannot be updated this way.
 * "Status" (2) is taken to be `progress`, the only status-like Project field (unconfirmed).
 */
export const UPDATE_FIELD_IDS: Record<number, string> = {
  1: 'name',
  2: 'progress',
  3: 'startDate',
  4: 'endDate',
  5: 'estimatedCloseDate',
  6: 'closeDate',
  7: 'budget',
  8: 'scopeOfWork',
  9: 'assignedTo',
  10: 'salesRep',
  11: 'projectManager',
  12: 'designer',
  13: 'client',
  14: 'clientNumber',
  15: 'clientPONumber',
  ...Object.fromEntries(Array.from({ length: 54 }, (_, i) => [101 + i, `customField${i + 1}`])),
  ...Object.fromEntries(Array.from({ length: 11 }, (_, i) => [155 + i, `customField${65 + i}`])),
};

/** Message types and statuses of `MessageStatus` (Message API). */
export const MESSAGE_TYPE = { project: 11, updateProject: 12, newChangeOrder: 13 } as const;
export const MESSAGE_STATUS = { queued: 1, imported: 2, failed: 3 } as const;
export type MessageState = keyof typeof MESSAGE_STATUS;

/** A JSON number, or a numeric string (read as ASP.NET's web defaults do); NaN for anything else. */
export function numeric(value: unknown): number {
  if (typeof value === 'number') return value;
  return typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
}

/**
 * A wire value as SI stores it, or an error message. Numbers may come as numeric strings: ASP.NET's web JSON
 * defaults read numbers from strings (the OpenAPI's `number | string` with a pattern says as much).
 */
export function coerce(type: FieldType, value: unknown): { value: unknown } | { error: string } {
  const fail = (net: string) => ({ error: `The JSON value could not be converted to System.${net}.` });
  if (value === null) return { value: null };
  if (type === 'string') return typeof value === 'string' ? { value } : fail('String');
  if (type === 'boolean') return typeof value === 'boolean' ? { value } : fail('Boolean');
  if (type === 'number') {
    const n = numeric(value);
    return Number.isFinite(n) ? { value: n } : fail('Double');
  }
  const ok =
    typeof value === 'string' &&
    /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) &&
    !Number.isNaN(Date.parse(value));
  return ok ? { value } : fail('DateTime');
}

/** An `UpdateProjectField.value` (always a string, "invariant" culture) as the target field's type. */
export function coerceText(type: FieldType, value: string | null): { value: unknown } | { error: string } {
  if (value === null || type === 'string' || type === 'date') return coerce(type, value);
  if (type === 'boolean') {
    const v = value.toLowerCase();
    return v === 'true' || v === 'false' ? { value: v === 'true' } : { error: `'${value}' is not a valid boolean.` };
  }
  return coerce('number', value);
}
