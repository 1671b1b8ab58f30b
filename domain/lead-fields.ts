/**
 * The lead fields both sides share, and how they are named in Zoho (crm-apis.md 2.3, Leads). Pure: used by
 * activities, repositories, the API and tests alike.
 */
export const LEAD_FIELDS = ['firstName', 'lastName', 'email', 'phone', 'company', 'status', 'source'] as const;
export type LeadField = (typeof LEAD_FIELDS)[number];
export type LeadValues = Record<LeadField, string | null>;

export const ZOHO_LEAD_FIELD: Record<LeadField, string> = {
  firstName: 'First_Name',
  lastName: 'Last_Name',
  email: 'Email',
  phone: 'Phone',
  company: 'Company',
  status: 'Lead_Status',
  source: 'Lead_Source',
};

/** What a pull asks Zoho for: our fields plus the record's modification time. */
export const ZOHO_LEAD_LIST_FIELDS = [...Object.values(ZOHO_LEAD_FIELD), 'Modified_Time'];

/** Empty strings and absent values mean the same on both sides. */
export function norm(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  const s = String(v);
  return s === '' ? null : s;
}

export function sameValue(a: string | null | undefined, b: string | null | undefined): boolean {
  return norm(a) === norm(b);
}

export function valuesFromZoho(rec: Record<string, unknown>): LeadValues {
  return Object.fromEntries(LEAD_FIELDS.map((f) => [f, norm(rec[ZOHO_LEAD_FIELD[f]])])) as LeadValues;
}

/** The Zoho body for the given fields; null clears a field in Zoho. */
export function toZohoFields(
  values: Partial<LeadValues>,
  fields: readonly LeadField[] = LEAD_FIELDS,
): Record<string, string | null> {
  return Object.fromEntries(fields.filter((f) => f in values).map((f) => [ZOHO_LEAD_FIELD[f], norm(values[f])]));
}

export function pickValues(row: Partial<Record<LeadField, unknown>>): LeadValues {
  return Object.fromEntries(LEAD_FIELDS.map((f) => [f, norm(row[f])])) as LeadValues;
}

/** Fields whose local value differs from the agreed base; every field when there is no base yet. */
export function changedSinceBase(values: LeadValues, base: Partial<LeadValues> | null): LeadField[] {
  if (!base) return [...LEAD_FIELDS];
  return LEAD_FIELDS.filter((f) => !sameValue(values[f], base[f]));
}
