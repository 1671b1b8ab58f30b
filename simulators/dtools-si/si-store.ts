import { randomUUID } from 'node:crypto';
import type { MessageState } from './si-fields.js';

/** One publish by the SI user (SI → integration), acknowledged by MarkAsImported (`importedOn`). */
export interface SiPublish {
  messageId: string;
  at: number;
  importedOn: number | null;
}

export interface SiChangeOrder {
  coId: number;
  coNumber: string;
  /** Set when the change order came from NewChangeOrder; the key that makes re-posting an update. */
  integrationChangeOrderId: string | null;
  coName: string;
  coStatus: string;
  coType: 'Internal' | 'External';
  coNotes: string | null;
  price: number;
  createdOn: number;
  acceptedOn: number | null;
  rejectedOn: number | null;
  custom: Record<string, unknown>;
  published: SiPublish | null;
}

/** A project in the SI user's database: created by an import, or by the SI user. */
export interface SiProject {
  id: string;
  number: string;
  /** Project fields as stored (si-fields.ts PROJECT_FIELDS, lists, addresses). */
  fields: Record<string, unknown>;
  changeOrders: SiChangeOrder[];
  createdOn: number;
  updatedOn: number;
  archived: boolean;
  deleted: boolean;
  /** Null until the SI user publishes it: Subscribe only shows what was published. */
  published: SiPublish | null;
}

export type MessageKind = 'project' | 'update' | 'change-order' | 'archive' | 'unarchive';

/** One publish by the integration (integration → SI), waiting for the SI user to import it. */
export interface QueueMessage {
  id: string;
  seq: number;
  typeId: number;
  kind: MessageKind;
  projectIds: string[];
  body: Record<string, unknown>;
  publishedAt: number;
  dueAt: number;
  state: MessageState;
  importedOn: number | null;
  errorMessage: string | null;
  projectNumber: string | null;
  coNumber: string | null;
}

export interface SiSnapshot {
  projectSeq: number;
  messageSeq: number;
  coIdSeq: number;
  lastPublishAt: number;
  projects: SiProject[];
  messages: QueueMessage[];
}

export interface SubscribeEntry {
  project: SiProject;
  co?: SiChangeOrder;
  published: SiPublish;
}

/** The SI side of the bridge: the SI user's projects, and the integration's queue of publishes. */
export class SiStore {
  readonly projects = new Map<string, SiProject>();
  readonly messages = new Map<string, QueueMessage>();
  private projectSeq = 100;
  private messageSeq = 0;
  private coIdSeq = 0;
  private lastPublishAt = 0;

  clear(): void {
    this.projects.clear();
    this.messages.clear();
    this.projectSeq = 100;
    this.messageSeq = 0;
    this.coIdSeq = 0;
    this.lastPublishAt = 0;
  }

  toSnapshot(): SiSnapshot {
    const { projectSeq, messageSeq, coIdSeq, lastPublishAt } = this;
    return {
      projectSeq,
      messageSeq,
      coIdSeq,
      lastPublishAt,
      projects: [...this.projects.values()],
      messages: [...this.messages.values()],
    };
  }

  restore(s: SiSnapshot): void {
    this.clear();
    Object.assign(this, {
      projectSeq: s.projectSeq,
      messageSeq: s.messageSeq,
      coIdSeq: s.coIdSeq,
      lastPublishAt: s.lastPublishAt,
    });
    for (const p of s.projects) this.projects.set(p.id, p);
    for (const m of s.messages) this.messages.set(m.id, m);
  }

  project(id: string): SiProject | undefined {
    return this.projects.get(id.toLowerCase());
  }

  /** SI assigns the number when a project enters its database. */
  nextNumber(): string {
    return `P-${String(++this.projectSeq).padStart(6, '0')}`;
  }
  nextCoId(): number {
    return ++this.coIdSeq;
  }
  nextMessageSeq(): number {
    return ++this.messageSeq;
  }

  /** Strictly increasing across the store, so `publishedOnUnixTimeMs` works as a cursor even within one ms. */
  publishClock(at = Date.now()): number {
    this.lastPublishAt = Math.max(at, this.lastPublishAt + 1);
    return this.lastPublishAt;
  }

  /** The SI user publishes the project or one of its change orders: a new message, not yet acknowledged. */
  siPublish(target: SiProject | SiChangeOrder, at?: number, messageId: string = randomUUID()): SiPublish {
    target.published = { messageId, at: this.publishClock(at), importedOn: null };
    return target.published;
  }

  /** What Subscribe can list: every published project and change order. */
  entries(): SubscribeEntry[] {
    const out: SubscribeEntry[] = [];
    for (const project of this.projects.values()) {
      if (project.published) out.push({ project, published: project.published });
      for (const co of project.changeOrders) if (co.published) out.push({ project, co, published: co.published });
    }
    return out;
  }

  entryByMessageId(messageId: string): SubscribeEntry | undefined {
    const id = messageId.toLowerCase();
    return this.entries().find((e) => e.published.messageId === id);
  }

  /** Accepted `POST /Publish/Projects` calls per project id (tests assert "exactly one project"). */
  publishCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const m of this.messages.values()) {
      if (m.kind === 'project') counts[m.projectIds[0]!] = (counts[m.projectIds[0]!] ?? 0) + 1;
    }
    return counts;
  }
}
