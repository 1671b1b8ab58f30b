import type { RemoteFolder, RemoteFolderFile } from '../capabilities.js';
import type { WdResourceRecord } from './workdrive.schemas.js';

/** The trash's status code; listings leave the trash out, this guards against one that does not. */
const TRASHED = '51';

export function isFolder(r: WdResourceRecord): boolean {
  const flag = r.attributes.is_folder;
  return flag === true || flag === 'true' || r.attributes.type === 'folder';
}

export function isLive(r: WdResourceRecord): boolean {
  return String(r.attributes.status ?? '') !== TRASHED;
}

export function toFolder(r: WdResourceRecord): RemoteFolder {
  return {
    id: r.id,
    name: r.attributes.name,
    modifiedMs: r.attributes.modified_time_in_millisecond,
    permalink: r.attributes.permalink ?? null,
  };
}

export function toFile(r: WdResourceRecord): RemoteFolderFile {
  return {
    id: r.id,
    name: r.attributes.name,
    size: r.attributes.storage_info?.size_in_bytes ?? null,
    modifiedMs: r.attributes.modified_time_in_millisecond,
  };
}
