import type { WdBlobs } from './wd-blobs.js';
import type { WdNode, WdStore } from './wd-store.js';

export const counters = () => ({
  /** Calls to the API and download paths, refused ones included. */
  requests: 0,
  unauthorized: 0,
  /** Uploads that created a file or a new version. */
  uploads: 0,
  uploadBytes: 0,
  /** Uploads answered 400, 401, 409 or 413. */
  uploadsRejected: 0,
  downloads: 0,
  /** Folder creations, renames, moves, trash and restore through the API (not admin edits). */
  writes: 0,
  searches: 0,
});
export type WdStats = ReturnType<typeof counters>;

/** What every route needs. */
export interface WdContext {
  store: WdStore;
  blobs: WdBlobs;
  /** This server's origin, for links (`links.self`, `permalink`, `download_url`). */
  base: () => string;
  stats: WdStats;
  /** Upper bound of an upload's content; WorkDrive's is 250 MB. */
  uploadLimitBytes: number;
}

/** A file or folder made or changed through the API, as the calling user. */
export function touch(ctx: WdContext, node: WdNode, at = Date.now()): void {
  node.modifiedAt = at;
  node.modifiedBy = ctx.store.identity.displayName;
}
