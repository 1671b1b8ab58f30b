import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ConnectionsRepository } from '../db/repositories/connections.repository.js';
import { ExtractUpdateRepository } from '../db/repositories/extract-update.repository.js';
import type { ExtractDomain } from '../domain/extract-fields.js';
import { extractRules } from '../domain/extract-rules.js';
import { planUpdate, type UpdatePlan, UpdateInputError } from '../domain/extract-update.js';
import { workflowIds } from '../workflows/definitions.js';
import { BadRequest, Conflict, NotFound } from './errors.js';
import type { StartedSync, SyncsService } from './syncs.service.js';

export interface RecordsUpdateRequest {
  connectionId?: string;
  domain: ExtractDomain;
  key: string;
  value: string | number;
  set: Record<string, string | number | null>;
}

/** `records update` for the API and the CLI: checks and casts, counts the matches, starts `recordsUpdate`. */
export class RecordsService {
  constructor(
    private readonly syncs: SyncsService,
    private readonly em: () => EntityManager,
  ) {}

  /** The connection (the one given, or the only extract-capable one), the cast plan and how many records match. */
  async prepare(req: RecordsUpdateRequest): Promise<{ connectionId: string; plan: UpdatePlan; matched: number }> {
    const ids = await this.syncs.extractConnections(req.connectionId);
    if (ids.length !== 1)
      throw new BadRequest(`${ids.length} CRM connections exist; name one with connectionId`, {
        fields: ['connectionId'],
      });
    const connectionId = ids[0]!;
    const row = await new ConnectionsRepository(this.em()).get(connectionId);
    const rules = extractRules((row?.options as { extract?: unknown } | undefined)?.extract);
    let plan: UpdatePlan;
    try {
      plan = planUpdate({ domain: req.domain, key: req.key, value: req.value, set: req.set }, rules);
    } catch (err) {
      if (err instanceof UpdateInputError) throw new BadRequest(err.message, { fields: ['key', 'value', 'set'] });
      throw err;
    }
    const matched = await new ExtractUpdateRepository(this.em()).count(connectionId, plan);
    return { connectionId, plan, matched };
  }

  /**
   * Starts the update: NotFound when nothing matches, Conflict when several match and `yes` was not given (a dry
   * run needs neither). The workflow id is a hash of the plan, so the same update asked twice joins the first.
   */
  async start(
    req: RecordsUpdateRequest & { dryRun?: boolean; yes?: boolean },
  ): Promise<StartedSync & { matched: number }> {
    const { connectionId, plan, matched } = await this.prepare(req);
    if (matched === 0 && !req.dryRun) throw new NotFound(`${req.domain} record with ${req.key}`, String(plan.keyValue));
    if (matched > 1 && !req.yes && !req.dryRun)
      throw new Conflict(
        `${matched} ${req.domain} records match ${req.key}=${String(plan.keyValue)}; confirm with yes (CLI: --yes) or look first with a dry run`,
      );
    const key = createHash('sha256').update(JSON.stringify(plan)).digest('hex').slice(0, 16);
    const id = workflowIds.recordsUpdate(connectionId, key);
    const started = await this.syncs.start('recordsUpdate', req.dryRun ? workflowIds.dryRun(id) : id, {
      connectionId,
      plan,
      dryRun: req.dryRun ?? false,
    });
    return { ...started, matched };
  }
}
