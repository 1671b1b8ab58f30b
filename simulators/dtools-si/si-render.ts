import { ADDRESSES, CO_CUSTOM_FIELDS, MESSAGE_STATUS, PROJECT_FIELDS, PROJECT_LISTS } from './si-fields.js';
import type { QueueMessage, SiChangeOrder, SiProject, SubscribeEntry } from './si-store.js';

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());
const field = (p: SiProject, k: string) => p.fields[k] ?? null;

/** `ProjectInfo` of `ProjectsResult.projects` (OpenAPI), plus `isChangeOrder` (our addition). */
export function projectInfo({ project: p, co, published }: SubscribeEntry) {
  return {
    id: p.id,
    integrationProjectId: field(p, 'integrationProjectId'),
    messageId: published.messageId,
    clientId: field(p, 'clientId'),
    client: field(p, 'client'),
    clientNumber: field(p, 'clientNumber'),
    name: field(p, 'name'),
    number: p.number,
    progress: field(p, 'progress'),
    approved: p.fields.approved === true,
    isChangeOrder: !!co,
    coNumber: co?.coNumber ?? null,
    currencyCode: field(p, 'currencyCode'),
    price: co ? co.price : Number(p.fields.price ?? 0),
    importedOn: iso(published.importedOn),
    publishedOn: iso(published.at),
    publishedOnUnixTimeMs: published.at,
    deleted: p.deleted,
    archived: p.archived,
  };
}

/** A change order as listed in a project's `changeOrders` (our addition: SI's Project has no such list). */
function changeOrderSummary(co: SiChangeOrder) {
  return {
    coNumber: co.coNumber,
    coId: co.coId,
    coName: co.coName,
    coStatus: co.coStatus,
    coType: co.coType,
    coNotes: co.coNotes,
    price: co.price,
    integrationChangeOrderId: co.integrationChangeOrderId,
    coCreatedOn: iso(co.createdOn),
    coAcceptedOn: iso(co.acceptedOn),
    coRejectedOn: iso(co.rejectedOn),
    publishedOn: iso(co.published?.at),
    publishedOnUnixTimeMs: co.published?.at ?? null,
    importedOn: iso(co.published?.importedOn),
  };
}

/**
 * `Project` as Subscribe returns it: every documented field, null when unset (System.Text.Json writes nulls).
 * With a change order it is that change order's view: `isChangeOrder`, `co*` fields, its price and publish times.
 */
export function projectView(p: SiProject, co?: SiChangeOrder) {
  const published = co ? co.published : p.published;
  const scalars = Object.fromEntries(Object.keys(PROJECT_FIELDS).map((k) => [k, field(p, k)]));
  const lists = Object.fromEntries(PROJECT_LISTS.map((k) => [k, co ? [] : (p.fields[k] ?? [])]));
  const addresses = Object.fromEntries(ADDRESSES.map((k) => [k, field(p, k)]));
  const coCustom = Object.fromEntries(Object.keys(CO_CUSTOM_FIELDS).map((k) => [k, co?.custom[k] ?? null]));
  return {
    id: p.id,
    number: p.number,
    ...scalars,
    approved: p.fields.approved === true,
    price: co ? co.price : Number(p.fields.price ?? 0),
    ...lists,
    ...addresses,
    createdOn: iso(p.createdOn),
    updatedOn: iso(p.updatedOn),
    publishedOn: iso(published?.at),
    publishedOnUnixTimeMs: published?.at ?? null,
    importedOn: iso(published?.importedOn),
    archived: p.archived,
    isChangeOrder: !!co,
    coNumber: co?.coNumber ?? null,
    coId: co?.coId ?? null,
    coName: co?.coName ?? null,
    coStatus: co?.coStatus ?? null,
    coType: co?.coType ?? null,
    coNotes: co?.coNotes ?? null,
    coAcceptedOn: iso(co?.acceptedOn),
    coRejectedOn: iso(co?.rejectedOn),
    coCreatedOn: iso(co?.createdOn),
    ...coCustom,
    ...(co ? {} : { changeOrders: p.changeOrders.map(changeOrderSummary) }),
  };
}

/** `MessageStatus` (OpenAPI) plus `status`, `projectId`, `projectNumber`, `coNumber` (our additions). */
export function messageStatus(m: QueueMessage) {
  return {
    id: m.id,
    typeId: m.typeId,
    statusId: MESSAGE_STATUS[m.state],
    status: m.state,
    importedOn: iso(m.importedOn),
    errorMessage: m.errorMessage,
    projectId: m.projectIds.length === 1 ? m.projectIds[0]! : null,
    projectNumber: m.projectNumber,
    coNumber: m.coNumber,
  };
}
