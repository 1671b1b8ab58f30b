import type { WdIdentity, WdNode, WdStore } from './wd-store.js';

export const API_BASE = '/workdrive/api/v1';
/** Stands for `https://download.zoho.<tld>`; served by the same server. */
export const DOWNLOAD_BASE = '/v1/workdrive/download';

/** File categories by extension (ours: WorkDrive's full list is not documented). */
const CATEGORIES: Record<string, string[]> = {
  document: ['doc', 'docx', 'odt', 'rtf', 'txt', 'md', 'pages'],
  spreadsheet: ['xls', 'xlsx', 'ods', 'csv', 'numbers'],
  presentation: ['ppt', 'pptx', 'odp', 'key'],
  image: ['png', 'jpg', 'jpeg', 'gif', 'bmp', 'webp', 'svg', 'heic', 'tif', 'tiff'],
  pdf: ['pdf'],
  audio: ['mp3', 'wav', 'm4a', 'ogg'],
  video: ['mp4', 'mov', 'avi', 'mkv', 'webm'],
  zip: ['zip', 'rar', '7z', 'gz', 'tar'],
};
/** `filter[type]` values (crm-apis.md 3 lists folder, allfiles, documents, spreadsheets, images, pdf; the rest ours). */
const FILTER_CATEGORY: Record<string, string> = {
  documents: 'document',
  spreadsheets: 'spreadsheet',
  presentations: 'presentation',
  images: 'image',
  pdf: 'pdf',
  audio: 'audio',
  videos: 'video',
  zip: 'zip',
};
export const TYPE_FILTERS: Record<string, (n: WdNode) => boolean> = {
  folder: (n) => n.kind !== 'file',
  allfiles: (n) => n.kind === 'file',
  ...Object.fromEntries(Object.entries(FILTER_CATEGORY).map(([f, c]) => [f, (n: WdNode) => category(n) === c])),
};

const MIME: Record<string, string> = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  txt: 'text/plain',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  mp4: 'video/mp4',
};

export function extnOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}
export const mimeOf = (name: string): string => MIME[extnOf(name)] ?? 'application/octet-stream';

export function category(n: WdNode): string {
  if (n.kind !== 'file') return 'folder';
  const ext = extnOf(n.name);
  return Object.entries(CATEGORIES).find(([, exts]) => exts.includes(ext))?.[0] ?? 'other';
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** ⚠ `Apr 13, 10:58 AM`: no year, no zone (UTC here, ours) — clients must read `_in_millisecond` (crm-apis.md 6.10). */
export function displayTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getUTCHours();
  const minutes = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${h % 12 || 12}:${minutes} ${h < 12 ? 'AM' : 'PM'}`;
}

function displaySize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  const units = ['KB', 'MB', 'GB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) [v, u] = [v / 1024, u + 1];
  return `${v.toFixed(1)} ${units[u]}`;
}

function attributes(store: WdStore, base: string, n: WdNode) {
  const folder = n.kind !== 'file';
  const below = folder ? [...store.nodes.values()].filter((c) => c.parentId === n.id && c.trashedAt === null) : [];
  return {
    name: n.name,
    type: category(n),
    is_folder: folder,
    extn: folder ? '' : extnOf(n.name),
    parent_id: n.parentId,
    permalink: `${base}/${folder ? 'folder' : 'file'}/${n.id}`,
    download_url: folder ? null : `${base}${DOWNLOAD_BASE}/${n.id}`,
    content_type: n.contentType,
    // (ours) a folder's size is not summed: 0, with counts of its direct children.
    storage_info: {
      size_in_bytes: n.size,
      size: displaySize(n.size),
      files_count: below.filter((c) => c.kind === 'file').length,
      folders_count: below.filter((c) => c.kind !== 'file').length,
    },
    created_time: displayTime(n.createdAt),
    created_time_in_millisecond: n.createdAt,
    modified_time: displayTime(n.modifiedAt),
    modified_time_in_millisecond: n.modifiedAt,
    ...(folder ? {} : { uploaded_time_in_millisecond: n.modifiedAt, version: n.version }),
    created_by: n.createdBy,
    modified_by: n.modifiedBy,
    // (ours) a number: 1 active, 51 in the trash (the trash request sends the string "51").
    status: n.trashedAt === null ? 1 : 51,
  };
}

/** The JSON:API resource of a file or folder; team folders list as `teamfolders`. */
export function resource(store: WdStore, base: string, n: WdNode, type: 'files' | 'teamfolders' = 'files') {
  return {
    id: n.id,
    type,
    attributes: attributes(store, base, n),
    links: { self: `${base}${API_BASE}/files/${n.id}` },
  };
}

export function userResource(base: string, me: WdIdentity, id = me.userId) {
  return {
    id,
    type: 'users',
    attributes: { display_name: me.displayName, email_id: me.email, zuid: me.userId, preferred_team_id: me.teamId },
    links: { self: `${base}${API_BASE}/users/${id}` },
  };
}

export function teamResource(base: string, me: WdIdentity) {
  return {
    id: me.teamId,
    type: 'teams',
    attributes: { name: me.teamName, org_id: me.orgId },
    links: { self: `${base}${API_BASE}/teams/${me.teamId}` },
  };
}
