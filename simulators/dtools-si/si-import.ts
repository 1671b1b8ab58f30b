import { randomUUID } from 'node:crypto';
import type { QueueMessage, SiChangeOrder, SiProject, SiStore } from './si-store.js';
import type { ChangeOrderInput, ProjectInput, UpdateInput } from './si-validate.js';

type Obj = Record<string, unknown>;

/** A message SI could not import; it ends as status 3 (Failed) with this text as `errorMessage`. */
class ImportFailure extends Error {}

/**
 * The SI user imports one queued message. Re-publishing a project id updates the project (SI keeps the GUID);
 * a `Project` publish replaces its fields and items — what a re-publish leaves out is cleared (the stricter
 * reading: the body is the whole project). SI assigns the project number and change order numbers here.
 */
export function importMessage(store: SiStore, m: QueueMessage, now = Date.now()): void {
  try {
    if (m.kind === 'project') importProject(store, m, m.body as unknown as ProjectInput, now);
    else if (m.kind === 'update') importUpdate(store, m, m.body as unknown as UpdateInput, now);
    else if (m.kind === 'change-order') importChangeOrder(store, m, m.body as unknown as ChangeOrderInput, now);
    else setArchived(store, m.projectIds, m.kind === 'archive', now);
    m.state = 'imported';
  } catch (err) {
    if (!(err instanceof ImportFailure)) throw err;
    m.state = 'failed';
    m.errorMessage = err.message;
  }
  m.importedOn = now;
}

/** Projects an update, change order or archive can reach: in SI and not deleted there. */
function existing(store: SiStore, id: string): SiProject {
  const p = store.project(id);
  if (!p) throw new ImportFailure(`Project ${id} does not exist in SI.`);
  if (p.deleted) throw new ImportFailure(`Project ${id} was deleted in SI.`);
  return p;
}

function importProject(store: SiStore, m: QueueMessage, input: ProjectInput, now: number): void {
  const found = store.project(input.id);
  if (found?.deleted) throw new ImportFailure(`Project ${input.id} was deleted in SI.`);
  const fields = { ...input.fields, items: withSiIds(input.fields.items as Obj[]) };
  const p: SiProject = found ?? {
    id: input.id,
    number: store.nextNumber(),
    fields,
    changeOrders: [],
    createdOn: now,
    updatedOn: now,
    archived: false,
    deleted: false,
    published: null,
  };
  p.fields = fields;
  p.updatedOn = now;
  retotal(p, fields.items.length > 0);
  store.projects.set(p.id, p);
  m.projectNumber = p.number;
}

function importUpdate(store: SiStore, m: QueueMessage, u: UpdateInput, now: number): void {
  const p = existing(store, u.projectId);
  Object.assign(p.fields, u.updates, u.addresses);
  if (u.archive !== null) p.archived = u.archive;
  let items = (p.fields.items as Obj[] | undefined) ?? [];
  const itemsBefore = items.length;
  items = items.filter(
    (i) => !u.deleteComponentIds.includes(i.componentId as string) && !u.deleteSiItemIds.includes(i.siItemId as string),
  );
  for (const change of u.updateItems) {
    const target = items.find(
      (i) =>
        (change.siItemId && i.siItemId === change.siItemId) ||
        (change.componentId && i.componentId === change.componentId),
    );
    if (target) Object.assign(target, change);
  }
  const changed = items.length !== itemsBefore || u.updateItems.length > 0 || u.newItems.length > 0;
  items.push(...withSiIds(u.newItems));
  p.fields.items = items;
  retotal(p, changed);
  p.updatedOn = now;
  m.projectNumber = p.number;
}

/** ⚠ Re-posting the same integrationChangeOrderId updates that change order instead of adding one (crm-apis.md 5). */
function importChangeOrder(store: SiStore, m: QueueMessage, c: ChangeOrderInput, now: number): void {
  const p = existing(store, c.projectId);
  const coType = c.typeId === 1 ? ('Internal' as const) : ('External' as const);
  const fields = { coName: c.name, coType, coNotes: c.notes };
  let co = p.changeOrders.find((x) => x.integrationChangeOrderId === c.integrationChangeOrderId);
  if (co) Object.assign(co, fields, { custom: { ...co.custom, ...c.custom } });
  else {
    co = {
      coId: store.nextCoId(),
      coNumber: nextCoNumber(p),
      integrationChangeOrderId: c.integrationChangeOrderId,
      coStatus: 'Pending',
      price: 0,
      createdOn: now,
      acceptedOn: null,
      rejectedOn: null,
      custom: c.custom,
      published: null,
      ...fields,
    } satisfies SiChangeOrder;
    p.changeOrders.push(co);
  }
  p.updatedOn = now;
  m.projectNumber = p.number;
  m.coNumber = co.coNumber;
}

function setArchived(store: SiStore, ids: string[], archived: boolean, now: number): void {
  const projects = ids.map((id) => existing(store, id));
  for (const p of projects) Object.assign(p, { archived, updatedOn: now });
}

/** Change order numbers are a per-project sequence ("1", "2", …); SI's real format is not documented. */
export function nextCoNumber(p: SiProject): string {
  return String(1 + Math.max(0, ...p.changeOrders.map((c) => Number(c.coNumber)).filter(Number.isFinite)));
}

/** SI gives every item it imports its own id (`siItemId`), used by later updates. */
function withSiIds(items: Obj[] | undefined): Obj[] {
  return (items ?? []).map((i) => ({ ...i, siItemId: i.siItemId ?? randomUUID() }));
}

/** SI computes totals from the items; without items the published price and cost stand. */
function retotal(p: SiProject, fromItems: boolean): void {
  const items = (p.fields.items as Obj[] | undefined) ?? [];
  if (!fromItems) return;
  const sum = (k: string) => items.reduce((s, i) => s + Number(i.quantity ?? 1) * Number(i[k] ?? 0), 0);
  p.fields.price = Math.round(sum('unitPrice') * 100) / 100;
  p.fields.cost = Math.round(sum('unitCost') * 100) / 100;
}
