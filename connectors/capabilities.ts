import type { Readable } from 'node:stream';
import type { LeadField, LeadValues } from '../domain/lead-fields.js';
import type { RemoteLead } from '../domain/lead-page-plan.js';
import type { CapabilityName } from '../domain/providers.js';
import type { CleanValue, ExtractDomain, RawRecord } from '../domain/extract-fields.js';
import type { ExtractPosition, FileSyncCursor, LeadPullPosition } from '../domain/sync-positions.js';
import type { CrmDeal, CrmFile } from './crm-file.js';

/**
 * What a connector can do, as small interfaces named after the job, not the provider. Activities ask the worker's
 * registry for a capability of a connection and never look at its provider; a provider offers the capabilities
 * domain/providers.ts lists for it. A new provider is a connector folder plus one registration in worker/providers.ts;
 * a new kind of work (publishing projects, uploading into folders) is a new interface here and a name in
 * domain/providers.ts.
 */
export interface Capabilities {
  check: ConnectionCheck;
  dealFiles: DealFileSource;
  leads: LeadStore;
  deals: DealRecords;
  projects: ProjectQueue;
  folders: FolderStore;
  records: ModuleRecords;
  extract: ExtractSource;
}
// Every capability name has its interface, and nothing else is a capability.
type _SameNames = [CapabilityName] extends [keyof Capabilities]
  ? [keyof Capabilities] extends [CapabilityName]
    ? true
    : never
  : never;
export const capabilityNamesMatch: _SameNames = true;

/** Proves credentials and reachability with the cheapest read the provider has. */
export interface ConnectionCheck {
  check(): Promise<{ verified: string; tokenRefreshed?: boolean }>;
}

/** A file as the download needs it (a row of `file_metadata`). */
export interface DownloadableFile {
  externalFileId: string;
  dealExternalId: string;
  access?: string | null;
  sourceUrl?: string | null;
}

export interface DealFilesStart {
  mode: 'incremental' | 'full';
  since: string | null;
  selective: boolean;
}
export interface DealsPageOptions {
  since: string | null;
  dealIds?: string[];
  onlyFileIds?: Set<string>;
}

/**
 * Deals and their file attachments. A page of deals carries its files when the CRM lists them in bulk (HubSpot:
 * associations, notes and files in batches); otherwise `files` is absent and the caller lists them with
 * `filesOfDeal`, a few deals per checkpointed activity (Zoho: one call per deal).
 */
export interface DealFileSource {
  start(opts: DealFilesStart): FileSyncCursor;
  dealsPage(
    cursor: FileSyncCursor,
    opts: DealsPageOptions,
  ): Promise<{ deals: CrmDeal[]; files?: CrmFile[]; next: FileSyncCursor | null }>;
  filesOfDeal(dealId: string, onlyFileIds?: Set<string>): Promise<CrmFile[]>;
  /** The file's bytes as the CRM serves them; the caller reads or cancels the body. */
  openContent(file: DownloadableFile): Promise<Response>;
}

/** The answer to one record of a batch write: written (with the CRM's id and modification time) or refused. */
export type RecordWriteResult =
  { ok: true; id: string; modifiedTime?: string } | { ok: false; code: string; message: string };

/** Leads in the CRM, read by modification time and written in batches; values in our field names. */
export interface LeadStore {
  /** One listing call: the leads modified since the position, oldest first, and where the next call starts. */
  leadsPage(position: LeadPullPosition): Promise<{ leads: RemoteLead[]; next: LeadPullPosition | null }>;
  /** One page of leads deleted since `since` (ISO); `nextPage` null at the end. */
  deletedLeads(
    since: string | null,
    page: number,
  ): Promise<{ deleted: Array<{ remoteId: string; deletedAt: number }>; nextPage: number | null }>;
  readLeads(ids: string[]): Promise<RemoteLead[]>;
  findLeadsByEmail(emails: string[]): Promise<RemoteLead[]>;
  /** Creates leads, matching existing ones on email so a retried create finds the lead it made. */
  createLeads(values: Array<Partial<LeadValues>>): Promise<Array<RecordWriteResult | undefined>>;
  updateLeads(
    updates: Array<{ id: string; values: Partial<LeadValues>; fields: LeadField[] }>,
  ): Promise<Array<RecordWriteResult | undefined>>;
  /** Deletes by id; a lead already gone counts as deleted (a retried delete finds nothing). */
  deleteLeads(ids: string[]): Promise<Array<RecordWriteResult | undefined>>;
  /** Largest batch one write call takes. */
  readonly batchSize: number;
}

/** A CRM record as fields by API name (lookups keep their object shape: `{ name, id }`). */
export interface CrmRecord {
  id: string;
  fields: Record<string, unknown>;
  modifiedAt: string | null;
}
export interface CrmNote {
  id: string;
  title: string | null;
  content: string | null;
}

/** CRM deals read and written field by field, with their notes: the CRM side of deal-to-project. */
export interface DealRecords {
  /** The deal with the named fields, or null when the CRM has no such deal. */
  readDeal(id: string, fields: string[]): Promise<CrmRecord | null>;
  updateDeal(id: string, fields: Record<string, unknown>): Promise<RecordWriteResult>;
  listNotes(dealId: string): Promise<CrmNote[]>;
  addNote(dealId: string, note: { title: string; content: string }): Promise<RecordWriteResult>;
}

/** What is published: the project's GUID (ours, stable across retries) and its field values in SI's names. */
export interface ProjectDraft {
  id: string;
  integrationProjectId: string;
  fields: Record<string, unknown>;
}
export type PublishState = 'queued' | 'imported' | 'failed';
export interface PublishStatus {
  state: PublishState;
  projectId: string | null;
  projectNumber: string | null;
  error: string | null;
}
export interface ProjectChangeOrder {
  number: string;
  name: string | null;
  status: string | null;
  price: number | null;
  notes: string | null;
}
export interface ProjectSnapshot {
  id: string;
  number: string | null;
  integrationProjectId: string | null;
  /** What SI reports of the project; values SI did not report (only change orders were published) are absent. */
  values: Partial<{
    name: string | null;
    progress: string | null;
    price: number | null;
    budget: number | null;
    startDate: string | null;
    endDate: string | null;
    closeDate: string | null;
  }>;
  changeOrders: ProjectChangeOrder[];
}
/** One entry of what SI users published and nobody acknowledged yet: a project or one of its change orders. */
export interface PublishedEntry {
  projectId: string;
  integrationProjectId: string | null;
  coNumber: string | null;
  stamp: number | null;
}

/**
 * A queue bridge to a desktop app (D-Tools SI): a publish is accepted when queued and applied when a user imports
 * it; what users publish back is read, then acknowledged so it is not handed out again.
 */
export interface ProjectQueue {
  /** Re-publishing the same `id` updates that project (queued or imported) instead of adding one. */
  publish(project: ProjectDraft): Promise<{ messageId: string }>;
  /** Changes some fields of a project SI has imported; `skipped` names fields this queue cannot change that way. */
  update(projectId: string, fields: Record<string, unknown>): Promise<{ messageId: string; skipped: string[] }>;
  publishStatus(messageId: string): Promise<PublishStatus>;
  /**
   * The newest message of this kind the queue holds for the project, in any state: after an attempt that may have
   * published but never heard the answer, so a retry can follow that message instead of queueing a second one.
   */
  lastPublish(projectId: string, kind: 'publish' | 'update'): Promise<{ messageId: string } | null>;
  /** A page of unacknowledged entries, oldest first; acknowledging shifts later pages, so callers restart at 1. */
  publishedEntries(page: number, pageSize: number): Promise<{ entries: PublishedEntry[]; total: number | null }>;
  /** The project with its change orders; `coNumbers`: change orders known to exist (read one by one when need be). */
  readProject(id: string, coNumbers?: string[]): Promise<ProjectSnapshot>;
  /** `stamp`: fails (conflict) when the entry was published again since it was read. */
  acknowledge(entry: Pick<PublishedEntry, 'projectId' | 'coNumber' | 'stamp'>): Promise<void>;
}

/** A file attached to a CRM record (not a link attachment: those have no bytes). */
export interface RecordAttachment {
  id: string;
  fileName: string;
  /** Bytes, as the CRM reports them; null when it does not say. */
  size: number | null;
}

/**
 * Records of any CRM module by API name, found by field values, read and written field by field, with their file
 * attachments: the CRM side of a transfer between organisations.
 */
export interface ModuleRecords {
  /**
   * One page (from 1) of the records whose fields equal the given values, with the named fields. A search index may
   * reach only the first few thousand matches (Zoho: 2,000), so callers that change what matches re-run the search.
   */
  findRecords(
    module: string,
    where: Record<string, string | boolean>,
    fields: string[],
    page: number,
  ): Promise<{ records: CrmRecord[]; nextPage: number | null }>;
  /** The record with the named fields, or null when the CRM has no such record. */
  readRecord(module: string, id: string, fields: string[]): Promise<CrmRecord | null>;
  updateRecord(module: string, id: string, fields: Record<string, unknown>): Promise<RecordWriteResult>;
  attachments(module: string, recordId: string): Promise<RecordAttachment[]>;
  /** The attachment's bytes as the CRM serves them; the caller reads or cancels the body. */
  openAttachment(module: string, recordId: string, attachmentId: string): Promise<Response>;
}

export interface RemoteFolder {
  id: string;
  name: string;
  /** Milliseconds since the epoch; null when the store did not say. */
  modifiedMs: number | null;
  permalink: string | null;
}
export interface RemoteFolderFile {
  id: string;
  name: string;
  size: number | null;
  modifiedMs: number | null;
}
export interface UploadedFile {
  resourceId: string;
  /** The name the store kept, which is the name asked for unless the store renamed the upload. */
  name: string;
  permalink: string | null;
}
/** One page of an offset listing; `nextOffset` is null after the last page (the listing gives no total). */
export interface OffsetPage<T> {
  items: T[];
  nextOffset: number | null;
}

/**
 * A cloud drive's folders (Zoho WorkDrive): the folders under a team folder (one per person), the files directly in
 * a folder, and uploads into a folder. Listings are read a page at a time from an offset, so a caller can checkpoint
 * between pages.
 */
export interface FolderStore {
  /** The direct subfolders of a team folder, one page from `offset` (0 = first page). */
  teamFolderChildren(teamFolderId: string, offset?: number): Promise<OffsetPage<RemoteFolder>>;
  /** The files directly in a folder (no subfolders), one page from `offset`. */
  folderFiles(folderId: string, offset?: number): Promise<OffsetPage<RemoteFolderFile>>;
  /**
   * Streams exactly `size` bytes of `content` into the folder as `fileName`; the content is read once, never held
   * whole, and closed whatever happens. Fails with a ConflictError when the folder holds that name already (code
   * `R504` on WorkDrive: nothing is overwritten), a ValidationError when the file is larger than the store takes or
   * `content` is not `size` bytes long, a NotFoundError when the folder is gone or not the account's.
   */
  upload(
    folderId: string,
    fileName: string,
    content: Readable | AsyncIterable<Uint8Array>,
    size: number,
  ): Promise<UploadedFile>;
}

/**
 * Accounts, contacts and deals as the CRM extract reads them: one listing call a page, oldest modification first,
 * values in the extract's field names with the CRM's own spellings (domain/extract-rules.ts cleans them); and batch
 * writes of some fields of some records (`records update`).
 */
export interface ExtractSource {
  /** Where a listing starts: every record (`since` null), or those modified since `since` (ISO). */
  start(domain: ExtractDomain, since: string | null): ExtractPosition;
  page(
    domain: ExtractDomain,
    position: ExtractPosition,
  ): Promise<{ records: RawRecord[]; next: ExtractPosition | null }>;
  /**
   * One page of the records deleted since `since` (ISO): `token` null for the first page, then the `next` of the
   * page before; `next` null after the last page.
   */
  deletedPage(
    domain: ExtractDomain,
    since: string,
    token: string | null,
  ): Promise<{ deleted: Array<{ id: string; deletedAt: number }>; next: string | null }>;
  /**
   * Writes the given fields (the extract's names and clean values; enum values are written in the CRM's spelling)
   * of each record, one answer per update in order; `batchSize` updates per call at most.
   */
  updateRecords(
    domain: ExtractDomain,
    updates: Array<{ id: string; values: Record<string, CleanValue> }>,
  ): Promise<Array<RecordWriteResult | undefined>>;
  readonly batchSize: number;
}
