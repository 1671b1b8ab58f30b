import type {
  ConnectionCheck,
  ProjectDraft,
  ProjectQueue,
  ProjectSnapshot,
  PublishedEntry,
  PublishState,
  PublishStatus,
} from '../capabilities.js';
import { projectUpdate } from '../../domain/deal-project.js';
import { NotFoundError, UnavailableError } from '../errors.js';
import type { DtoolsSiClient } from './dtools-si.client.js';
import type { SiMessageState, SiProjectRecord } from './dtools-si.schemas.js';

export function dtoolsCheck(client: DtoolsSiClient): ConnectionCheck {
  return {
    check: async () => {
      await client.probe();
      return { verified: 'API key: 1-entry Subscribe/Projects read' };
    },
  };
}

/** SI's message type ids, from the OpenAPI's enum (simulators/dtools-si/README.md, Message status). */
const MESSAGE_TYPE = { publish: 11, update: 12 } as const;
const RECENT_PAGE = 100;
const RECENT_PAGES = 3;

/** D-Tools SI's publish queue and subscribe feed as the deal-to-project sync sees them. */
export class DtoolsProjects implements ProjectQueue {
  constructor(private readonly client: DtoolsSiClient) {}

  async publish(project: ProjectDraft): Promise<{ messageId: string }> {
    const { id, integrationProjectId, fields } = project;
    const answer = await this.client.publishProject({
      ...fields,
      id,
      integrationProjectId,
      name: String(fields.name),
      client: String(fields.client),
    });
    return { messageId: answer.messageId };
  }

  async update(projectId: string, fields: Record<string, unknown>): Promise<{ messageId: string; skipped: string[] }> {
    const { updateFields, skipped } = projectUpdate(fields);
    const answer = await this.client.publishUpdate({ projectId, updateFields });
    return { messageId: answer.messageId, skipped };
  }

  async publishStatus(messageId: string): Promise<PublishStatus> {
    const s = await this.client.messageStatus(messageId);
    return {
      state: stateOf(s),
      projectId: s.projectId ?? null,
      projectNumber: s.projectNumber ?? null,
      error: s.errorMessage ?? null,
    };
  }

  /**
   * ⚠ The message list's order is undocumented: read as oldest first, like Subscribe and the simulator, so the
   * newest messages are on the last pages. Only those are read (a lost answer is seconds old); when the real API
   * orders otherwise nothing is found and the caller publishes again, which SI applies to the same project.
   */
  async lastPublish(projectId: string, kind: 'publish' | 'update'): Promise<{ messageId: string } | null> {
    const typeIds = [MESSAGE_TYPE[kind]];
    const id = projectId.toLowerCase();
    const first = await this.client.messageStatuses({ typeIds, pageNumber: 1, pageSize: 1 });
    const total = first.totalCount ?? 0;
    const lastPage = Math.ceil(total / RECENT_PAGE);
    for (let page = lastPage; page >= 1 && page > lastPage - RECENT_PAGES; page--) {
      const { messageStatuses } = await this.client.messageStatuses({
        typeIds,
        pageNumber: page,
        pageSize: RECENT_PAGE,
      });
      const mine = messageStatuses.filter((m) => m.id && m.projectId?.toLowerCase() === id);
      if (mine.length) return { messageId: mine[mine.length - 1]!.id! };
    }
    return null;
  }

  async publishedEntries(page: number, pageSize: number) {
    const res = await this.client.listProjects({ pageNumber: page, pageSize });
    const entries: PublishedEntry[] = res.projects.map((p) => ({
      projectId: p.id,
      integrationProjectId: p.integrationProjectId ?? null,
      coNumber: p.isChangeOrder ? p.coNumber : null,
      stamp: p.publishedOnUnixTimeMs ?? null,
    }));
    return { entries, total: res.totalCount ?? null };
  }

  /**
   * ⚠ Subscribe serves what an SI user published (crm-apis.md 5): a project whose change orders were published but
   * not the project itself has no project view. Its values are then unknown (left out, never taken as blank) and
   * each change order named in `coNumbers` is read through its own view.
   */
  async readProject(id: string, coNumbers: string[] = []): Promise<ProjectSnapshot> {
    let project: SiProjectRecord | undefined;
    try {
      project = await this.client.getProject(id);
    } catch (err) {
      if (!(err instanceof NotFoundError) || coNumbers.length === 0) throw err;
    }
    const changeOrders = new Map(
      (project?.changeOrders ?? []).map((co) => [
        co.coNumber,
        {
          number: co.coNumber,
          name: co.coName ?? null,
          status: co.coStatus ?? null,
          price: co.price,
          notes: co.coNotes ?? null,
        },
      ]),
    );
    let any: SiProjectRecord | undefined = project;
    for (const n of coNumbers) {
      if (changeOrders.has(n)) continue;
      const view = await this.client.getProject(id, n);
      any ??= view;
      changeOrders.set(n, {
        number: n,
        name: view.coName ?? null,
        status: view.coStatus ?? null,
        price: view.price,
        notes: view.coNotes ?? null,
      });
    }
    return {
      id: any?.id ?? id,
      number: any?.number ?? null,
      integrationProjectId: any?.integrationProjectId ?? null,
      values: project
        ? {
            name: project.name ?? null,
            progress: project.progress ?? null,
            price: project.price,
            budget: project.budget,
            startDate: project.startDate ?? null,
            endDate: project.endDate ?? null,
            closeDate: project.closeDate ?? null,
          }
        : {},
      changeOrders: [...changeOrders.values()].sort((a, b) =>
        a.number.localeCompare(b.number, undefined, { numeric: true }),
      ),
    };
  }

  async acknowledge(entry: Pick<PublishedEntry, 'projectId' | 'coNumber' | 'stamp'>): Promise<void> {
    await this.client.markAsImported(entry.projectId, {
      coNumber: entry.coNumber ?? undefined,
      publishedOnUnixTimeMs: entry.stamp ?? undefined,
    });
  }
}

/**
 * ⚠ The message status shape is not in the OpenAPI (crm-apis.md 5): a status word or a numeric id. Anything we
 * cannot read as queued, imported or failed is an invalid answer (retried), never taken for "imported".
 */
function stateOf(s: SiMessageState): PublishState {
  const word = (s.status ?? '').toLowerCase();
  if (word === 'queued' || word === 'pending' || s.statusId === 1) return 'queued';
  if (word === 'imported' || word === 'processed' || s.statusId === 2) return 'imported';
  if (word === 'failed' || word === 'error' || s.statusId === 3) return 'failed';
  throw new UnavailableError(`unreadable message status "${s.status ?? s.statusId ?? ''}"`, {
    code: 'INVALID_RESPONSE',
  });
}
