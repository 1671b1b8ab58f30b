import { continueAsNew, setHandler, workflowInfo } from '@temporalio/workflow';
import { EXTRACT_DOMAINS, type ExtractDomain } from '../domain/extract-fields.js';
import { type Progress, progressQuery } from './definitions.js';
import {
  type CrmExtractCarry,
  type CrmExtractInput,
  type CrmExtractResult,
  type ExtractCounts,
  zeroExtractCounts,
} from './extract-definitions.js';
import { recordedRun } from './run-recorder.js';
import { connectionActivities, mainQueue } from './queues.js';

const store = mainQueue();
/** Activities (of up to 50 pages each) per run before continuing as new. */
const ACTIVITIES_PER_RUN = 20;

/**
 * Accounts, contacts and deals of one connection, a domain at a time: pages since the domain's cursor (all of them
 * in a full run) cleaned and committed by the connection's activities, then the domain's cursor (and in a full run
 * the withdrawal of what the CRM no longer has), then the deal aggregates of the periods that changed. Only ids,
 * positions and counts pass through history; long extracts continue as new.
 */
export async function crmExtract(input: CrmExtractInput, carry?: CrmExtractCarry): Promise<CrmExtractResult> {
  const crm = connectionActivities(input.connectionId, 'crmCall');
  const domains: ExtractDomain[] = input.domains?.length ? input.domains : [...EXTRACT_DOMAINS];
  const full = input.full ?? false;
  const counts: ExtractCounts = carry?.counts ?? zeroExtractCounts();
  const perDomain = carry?.perDomain ?? {};
  let phase = 'planning';
  setHandler(progressQuery, (): Progress => ({ phase, done: counts.pages, total: null, counts: { ...counts } }));

  return recordedRun(
    'crm-extract',
    input.connectionId,
    async () => {
      const runId = workflowInfo().firstExecutionRunId;
      const plan = carry?.plan ?? (await store.extractPlan({ connectionId: input.connectionId, full, domains }));
      let position = carry?.position ?? null;
      let newest = carry?.newest ?? null;
      let activities = 0;
      for (let i = carry?.domainIndex ?? 0; i < domains.length; i++) {
        const domain = domains[i]!;
        const mine = (perDomain[domain] ??= zeroExtractCounts());
        phase = domain;
        for (;;) {
          if (activities++ >= (input.activitiesPerRun ?? ACTIVITIES_PER_RUN) || workflowInfo().continueAsNewSuggested)
            await continueAsNew<typeof crmExtract>(input, {
              plan,
              domainIndex: i,
              position,
              newest,
              counts,
              perDomain,
            });
          const got = await crm.extractPages({
            connectionId: input.connectionId,
            runId,
            domain,
            position,
            since: plan.since[domain] ?? null,
            maxPages: input.pagesPerActivity,
          });
          for (const c of [counts, mine]) {
            c.pages += got.pages;
            for (const [k, v] of Object.entries(got.counts)) c[k as keyof typeof got.counts] += v;
          }
          if (got.newest !== null && (newest === null || got.newest > newest)) newest = got.newest;
          if (!got.next) break;
          position = got.next;
        }
        // An incremental run also reads what the CRM deleted since the same point; a full run finds it unseen.
        const since = plan.since[domain] ?? null;
        if (!full && since !== null) {
          phase = `${domain}: deleted`;
          for (let token: string | null = null; ;) {
            const gone = await crm.extractDeletedPage({
              connectionId: input.connectionId,
              runId,
              domain,
              since,
              token,
            });
            counts.removed += gone.removed;
            mine.removed += gone.removed;
            if (gone.next === null) break;
            token = gone.next;
          }
        }
        const done = await store.extractFinishDomain({
          connectionId: input.connectionId,
          domain,
          runId,
          full,
          newestModifiedAt: newest,
        });
        counts.removed += done.removed;
        mine.removed += done.removed;
        position = null;
        newest = null;
      }
      phase = 'aggregates';
      const aggregates = await store.extractAggregates({
        connectionId: input.connectionId,
        full: full && domains.includes('deals'),
        timeZone: plan.timeZone,
      });
      phase = 'done';
      return { ...counts, connectionId: input.connectionId, full, domains, perDomain, aggregates };
    },
    (r) => Object.fromEntries(Object.entries(r).filter((e): e is [string, number] => typeof e[1] === 'number')),
  );
}
