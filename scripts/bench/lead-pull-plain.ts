import { pullPages } from '../../activities/lead-pull-pages.js';
import { decodeKey } from '../../config/env.js';
import { initOrm } from '../../db/mikro-orm.config.js';
import { LeadMergeRepository } from '../../db/repositories/lead-merge.repository.js';
import { LEADS_STREAM } from '../../db/repositories/lead-pull.repository.js';
import { PgTokenStore } from '../../db/repositories/pg-token-store.js';
import { SecretBox } from '../../db/secret-box.js';
import { leadSyncOptions } from '../../domain/lead-policy.js';
import { DbConnectorRegistry } from '../../worker/connector-registry.js';

/**
 * The lead-pull benchmark's plain batched loop: the activity's own paging and bulk merge, without Temporal. It runs
 * in its own process with the worker's Node flags, so the comparison measures orchestration, not heap settings.
 * Prints `RESULT {"count","ms"}`.
 */
const connectionId = process.env.BENCH_PLAIN_CONNECTION ?? 'bench-plain';
const orm = await initOrm(process.env.DATABASE_URL!);
try {
  const registry = new DbConnectorRegistry(
    orm,
    new PgTokenStore(orm, new SecretBox(decodeKey(process.env.TOKEN_ENCRYPTION_KEY!)!)),
  );
  const leads = await registry.capability(connectionId, 'leads');
  const options = leadSyncOptions({});
  const t0 = performance.now();
  let count = 0;
  await pullPages(leads, { since: null, page: 1 }, Infinity, async (page) => {
    count += (
      await new LeadMergeRepository(orm.em.fork()).mergePage(connectionId, page, options, {
        dryRun: false,
        cursorStream: LEADS_STREAM,
      })
    ).counts.created;
  });
  console.log(`RESULT ${JSON.stringify({ count, ms: performance.now() - t0 })}`);
} finally {
  await orm.close();
}
