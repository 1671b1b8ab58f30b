import { randomBytes } from 'node:crypto';
import type { FileExt } from '../common/files.js';
import type { Rng } from '../common/rng.js';

/** Where a file's bytes are: generated from a key (seeded files), or stored by their SHA-256 (uploads). */
export type BlobRef = { kind: 'seeded'; key: string; ext: FileExt } | { kind: 'stored'; sha256: string };

export interface WdNode {
  id: string;
  name: string;
  /** A team folder's parent is its team. */
  parentId: string;
  kind: 'teamfolder' | 'folder' | 'file';
  createdAt: number;
  modifiedAt: number;
  /** Set while in the trash (status 51). */
  trashedAt: number | null;
  createdBy: string;
  modifiedBy: string;
  /** Files only. */
  contentType: string | null;
  size: number;
  blob: BlobRef | null;
  version: number;
}

/** The org, its one user and team, as the seed made them (kept, so ids survive restarts). */
export interface WdIdentity {
  orgId: string;
  userId: string;
  email: string;
  displayName: string;
  teamId: string;
  teamName: string;
  teamMemberId: string;
}

export interface WdSnapshot {
  identity: WdIdentity;
  nodes: WdNode[];
}

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** WorkDrive-looking ids: 25 lower-case letters and digits. */
export function wdId(rng?: Rng): string {
  const bytes = rng ? Array.from({ length: 25 }, () => rng.int(0, 255)) : [...randomBytes(25)];
  return bytes.map((b) => ID_CHARS[b % ID_CHARS.length]).join('');
}

const sameName = (a: string, b: string) => a.localeCompare(b, undefined, { sensitivity: 'accent' }) === 0;

/** One WorkDrive org: a user in one team, its team folders, and the folders and files under them. */
export class WdStore {
  identity: WdIdentity = {
    orgId: '',
    userId: '',
    email: '',
    displayName: '',
    teamId: '',
    teamName: '',
    teamMemberId: '',
  };
  readonly nodes = new Map<string, WdNode>();

  clear(): void {
    this.nodes.clear();
  }

  toSnapshot(): WdSnapshot {
    return { identity: this.identity, nodes: [...this.nodes.values()] };
  }

  restore(s: WdSnapshot): void {
    this.clear();
    this.identity = s.identity;
    for (const n of s.nodes) this.nodes.set(n.id, n);
  }

  add(node: WdNode): WdNode {
    this.nodes.set(node.id, node);
    return node;
  }

  /** Trashed itself or inside a trashed folder. */
  inTrash(node: WdNode): boolean {
    for (let n: WdNode | undefined = node; n; n = this.nodes.get(n.parentId)) if (n.trashedAt !== null) return true;
    return false;
  }

  /** A folder (or team folder) that is not in the trash. */
  liveFolder(id: string): WdNode | undefined {
    const n = this.nodes.get(id);
    return n && n.kind !== 'file' && !this.inTrash(n) ? n : undefined;
  }

  children(parentId: string, trashed = false): WdNode[] {
    return [...this.nodes.values()].filter((n) => n.parentId === parentId && (n.trashedAt !== null) === trashed);
  }

  /**
   * (ours) Names clash case-insensitively, files and folders alike; what is in the trash does not clash. Admin
   * edits skip this check, so tests can build duplicates that real drives hold (made by sync clients or imports).
   */
  clash(parentId: string, name: string, except?: string): WdNode | undefined {
    return this.children(parentId).find((n) => n.id !== except && sameName(n.name, name));
  }

  teamFolders(): WdNode[] {
    return [...this.nodes.values()].filter((n) => n.kind === 'teamfolder' && n.trashedAt === null);
  }

  /** Whether `id` is `ancestor` or lies under it (a folder cannot move into itself). */
  isWithin(id: string, ancestor: string): boolean {
    for (let n = this.nodes.get(id); n; n = this.nodes.get(n.parentId)) if (n.id === ancestor) return true;
    return false;
  }

  /** Everything under the team that is not in the trash, for search. */
  liveNodes(): WdNode[] {
    return [...this.nodes.values()].filter((n) => n.kind !== 'teamfolder' && !this.inTrash(n));
  }

  /** Deletes for good, with everything under it; returns what was removed. */
  remove(id: string): WdNode[] {
    const gone = [...this.nodes.values()].filter((n) => this.isWithin(n.id, id));
    for (const n of gone) this.nodes.delete(n.id);
    return gone;
  }

  /** `Team Folder/Sub/file.pdf`, for admin listings. */
  pathOf(node: WdNode): string {
    const parts: string[] = [];
    for (let n: WdNode | undefined = node; n; n = this.nodes.get(n.parentId)) parts.unshift(n.name);
    return parts.join('/');
  }
}

/** Why WorkDrive would refuse `name` for a file or folder (ours: the rules are undocumented; these are the least). */
export function nameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'the name is empty';
  if (name !== name.trim()) return 'the name starts or ends with a space';
  if (name.length > 255) return 'the name is longer than 255 characters';
  if (name === '.' || name === '..') return 'the name is not allowed';
  // eslint-disable-next-line no-control-regex
  if (/[/\\\u0000-\u001f]/.test(name)) return 'the name contains / or \\ or a control character';
  return undefined;
}
