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
import { UnavailableError } from '../errors.js';
import type { DtoolsSiClient } from './dtools-si.client.js';
import type { SiMessageState } from './dtools-si.schemas.js';

export function dtoolsCheck(client: DtoolsSiClient): ConnectionCheck {
  return {
    check: async () => {
      await client.probe();
      return { verified: 'API key: 1-entry Subscribe/Projects read' };
    },
  };
}

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

  async readProject(id: string): Promise<ProjectSnapshot> {
    const p = await this.client.getProject(id);
    return {
      id: p.id,
      number: p.number ?? null,
      integrationProjectId: p.integrationProjectId ?? null,
      values: {
        name: p.name ?? null,
        progress: p.progress ?? null,
        price: p.price,
        budget: p.budget,
        startDate: p.startDate ?? null,
        endDate: p.endDate ?? null,
        closeDate: p.closeDate ?? null,
      },
      changeOrders: (p.changeOrders ?? []).map((co) => ({
        number: co.coNumber,
        name: co.coName ?? null,
        status: co.coStatus ?? null,
        price: co.price,
        notes: co.coNotes ?? null,
      })),
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
