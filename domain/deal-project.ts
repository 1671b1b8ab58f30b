/**
 * Deal → project rules, pure: what a deal publishes as an SI project, which deal fields an SI project changes, and
 * how a change order becomes a note that can be found again. Field names on the deal side are CRM API names
 * (`Account_Name.name` reads a lookup's part); on the SI side, `Project` field names (crm-apis.md 5).
 */
export const SI_REQUIRED = ['name', 'client'] as const;
export type SiOutputName =
  | 'id'
  | 'number'
  | 'name'
  | 'progress'
  | 'price'
  | 'budget'
  | 'startDate'
  | 'endDate'
  | 'closeDate'
  | 'state'
  | 'syncedAt';
/** What SI reports; an absent value is unknown (never written), a null one is blank. */
export type SiOutputs = Partial<Record<SiOutputName, string | number | null>>;
export interface ProjectMapping {
  toProject: Record<string, string>;
  toDeal: Record<string, SiOutputName>;
}

const NUMERIC = new Set(['budget', 'price']);
/** `UpdateProject.updateFields` ids (crm-apis.md 5); fields without one (price, notes) cannot be updated that way. */
export const UPDATE_FIELD_IDS: Record<string, number> = {
  name: 1,
  progress: 2,
  startDate: 3,
  endDate: 4,
  closeDate: 6,
  budget: 7,
  scopeOfWork: 8,
  salesRep: 10,
  projectManager: 11,
  client: 13,
  clientNumber: 14,
  clientPONumber: 15,
};
for (let n = 1; n <= 54; n++) UPDATE_FIELD_IDS[`customField${n}`] = 100 + n;
for (let n = 65; n <= 75; n++) UPDATE_FIELD_IDS[`customField${n}`] = 90 + n;

/** A value at a field path: `Deal_Name`, or a lookup's part such as `Account_Name.name`. */
export function fieldValue(fields: Record<string, unknown>, path: string): unknown {
  const [head, part] = path.split('.') as [string, string | undefined];
  const value = fields[head];
  if (part === undefined) return value ?? null;
  return value && typeof value === 'object' ? ((value as Record<string, unknown>)[part] ?? null) : null;
}

const blank = (v: unknown) => v === null || v === undefined || (typeof v === 'string' && v.trim() === '');

/**
 * The project a deal publishes. Required SI fields that the deal leaves blank are named as the deal fields to fill
 * (`missing`), so the request fails with a message a user can act on and nothing reaches SI.
 */
export function planProject(
  dealFields: Record<string, unknown>,
  mapping: Pick<ProjectMapping, 'toProject'>,
): { fields: Record<string, unknown>; missing: string[] } {
  const fields: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [siField, path] of Object.entries(mapping.toProject)) {
    const value = fieldValue(dealFields, path);
    if (blank(value)) {
      if ((SI_REQUIRED as readonly string[]).includes(siField)) missing.push(path);
      continue;
    }
    if (NUMERIC.has(siField)) {
      const n = Number(value);
      if (Number.isFinite(n)) fields[siField] = n;
      else missing.push(`${path} (not a number: ${String(value)})`);
    } else {
      fields[siField] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return { fields, missing };
}

/** An already-imported project is updated field by field; fields SI cannot update that way are listed, not sent. */
export function projectUpdate(fields: Record<string, unknown>): {
  updateFields: Array<{ projectFieldId: number; value: string | number | null }>;
  skipped: string[];
} {
  const updateFields: Array<{ projectFieldId: number; value: string | number | null }> = [];
  const skipped: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    const id = UPDATE_FIELD_IDS[name];
    if (id === undefined) skipped.push(name);
    else
      updateFields.push({
        projectFieldId: id,
        value: value === null ? null : typeof value === 'number' ? value : String(value),
      });
  }
  return { updateFields, skipped };
}

const same = (a: unknown, b: unknown) => {
  if (blank(a) && blank(b)) return true;
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a) === String(b);
};

/**
 * Deal fields to write from an SI project: only those whose value differs from the deal's. `syncedAt` is written
 * only with another change, so a project that changed nothing causes no CRM write at all.
 */
export function dealChanges(
  si: SiOutputs,
  dealFields: Record<string, unknown>,
  mapping: Pick<ProjectMapping, 'toDeal'>,
): Record<string, string | number | null> {
  const changes: Record<string, string | number | null> = {};
  let stamp: string | undefined;
  for (const [dealField, output] of Object.entries(mapping.toDeal)) {
    if (output === 'syncedAt') {
      stamp = dealField;
      continue;
    }
    const value = si[output];
    if (value === undefined) continue;
    if (!same(value, dealFields[dealField])) changes[dealField] = value;
  }
  if (stamp && si.syncedAt !== undefined && Object.keys(changes).length > 0) changes[stamp] = si.syncedAt;
  return changes;
}

/** Marks a change order's note so a note whose create answer was lost is found before another is made. */
export function changeOrderMarker(projectId: string, coNumber: string): string {
  return `[SI ${projectId.slice(0, 8).toLowerCase()} CO ${coNumber}]`;
}

const TITLE_MAX = 120;

export function changeOrderNote(
  project: { id: string; number: string | null },
  co: { number: string; name: string | null; status: string | null; price: number | null; notes: string | null },
): { title: string; content: string; marker: string } {
  const marker = changeOrderMarker(project.id, co.number);
  const label = `Change order ${co.number}${co.name ? `: ${co.name}` : ''}`;
  const room = TITLE_MAX - marker.length - 1;
  const title = `${label.length > room ? `${label.slice(0, room - 1)}…` : label} ${marker}`;
  const lines = [
    `Project ${project.number ?? project.id}, change order ${co.number}${co.name ? ` "${co.name}"` : ''}`,
    `Status: ${co.status ?? 'unknown'}`,
    `Price: ${co.price ?? 'unknown'}`,
    ...(co.notes ? ['', co.notes] : []),
  ];
  return { title, content: lines.join('\n'), marker };
}
