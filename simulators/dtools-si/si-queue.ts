import { randomUUID } from 'node:crypto';
import { MESSAGE_TYPE } from './si-fields.js';
import { importMessage } from './si-import.js';
import type { MessageKind, QueueMessage, SiStore } from './si-store.js';

const TYPE_OF: Record<MessageKind, number> = {
  project: MESSAGE_TYPE.project,
  'change-order': MESSAGE_TYPE.newChangeOrder,
  // Archive has no message type of its own; UpdateProject carries an `archive` flag, so it is taken to be one.
  update: MESSAGE_TYPE.updateProject,
  archive: MESSAGE_TYPE.updateProject,
  unarchive: MESSAGE_TYPE.updateProject,
};
/** setTimeout fires at once beyond this; a longer delay waits for the admin import anyway. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * ⚠ Publishing only enqueues (crm-apis.md 6.11): a message stays `queued` until the simulated SI user imports it,
 * `delayMs` after it was published or at once through `POST /__admin/import`. Messages are imported in the order
 * they were published, so an update or change order sent while its project is still queued is applied after it.
 */
export class SiQueue {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly store: SiStore,
    private readonly delayMs: number,
  ) {}

  /** Imports happen outside any request: listeners (state saving) hear about them. */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  enqueue(kind: MessageKind, projectIds: string[], body: Record<string, unknown>): QueueMessage {
    const now = Date.now();
    const m: QueueMessage = {
      id: randomUUID(),
      seq: this.store.nextMessageSeq(),
      typeId: TYPE_OF[kind],
      kind,
      projectIds,
      body,
      publishedAt: now,
      dueAt: now + this.delayMs,
      state: 'queued',
      importedOn: null,
      errorMessage: null,
      projectNumber: null,
      coNumber: null,
    };
    this.store.messages.set(m.id, m);
    this.reschedule();
    return m;
  }

  /**
   * Imports queued messages now: all, a project's, or one message together with the earlier ones of its projects
   * (an import never overtakes an earlier publish of the same project).
   */
  importNow(filter: { projectId?: string; messageId?: string } = {}): QueueMessage[] {
    let picked = this.queued();
    if (filter.projectId) picked = picked.filter((m) => m.projectIds.includes(filter.projectId!.toLowerCase()));
    if (filter.messageId) {
      const target = picked.find((m) => m.id === filter.messageId!.toLowerCase());
      const shared = (m: QueueMessage) => m.projectIds.some((id) => target?.projectIds.includes(id));
      picked = target ? picked.filter((m) => m.seq <= target.seq && shared(m)) : [];
    }
    for (const m of picked) importMessage(this.store, m);
    this.reschedule();
    return picked;
  }

  /** Sets the timer for the next due message; after a restore or reseed too. */
  reschedule(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.stopped) return;
    const next = this.queued().reduce((min, m) => Math.min(min, m.dueAt), Infinity);
    if (!Number.isFinite(next)) return;
    this.timer = setTimeout(() => this.importDue(), Math.min(MAX_TIMER_MS, Math.max(0, next - Date.now())));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private importDue(): void {
    const now = Date.now();
    const queued = this.queued();
    const firstLater = queued.findIndex((m) => m.dueAt > now);
    const due = firstLater < 0 ? queued : queued.slice(0, firstLater);
    for (const m of due) importMessage(this.store, m, now);
    if (due.length) this.listeners.forEach((l) => l());
    this.reschedule();
  }

  private queued(): QueueMessage[] {
    return [...this.store.messages.values()].filter((m) => m.state === 'queued').sort((a, b) => a.seq - b.seq);
  }
}
