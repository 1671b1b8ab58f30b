import { Client, Connection } from '@temporalio/client';
import {
  bundleWorkflowCode,
  DefaultLogger,
  NativeConnection,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import type { ConnectorRegistry } from '../../activities/deps.js';
import type { TemporalSettings } from '../../services/syncs.service.js';
import { ContentStore } from '../../storage/content-store.js';
import { WorkerSet } from '../../worker/workers.js';
import type { MikroORM } from '@mikro-orm/postgresql';

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** Workflow code is bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: fileURLToPath(new URL('../../workflows/index.ts', import.meta.url)),
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

export interface TestTemporal {
  settings: TemporalSettings;
  client: Client;
  workers: WorkerSet;
  close(): Promise<void>;
}

/** A client plus real workers on a fresh main queue, polling the connections in the given DB. */
export async function startTestTemporal(opts: {
  orm: MikroORM;
  connectors: ConnectorRegistry;
  content?: ContentStore;
}): Promise<TestTemporal> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const native = await NativeConnection.connect({ address });
  const client = new Client({ connection, namespace: 'default' });
  const taskQueue = `test-${randomBytes(4).toString('hex')}`;
  const workers = new WorkerSet({
    connection: native,
    namespace: 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    orm: opts.orm,
    connectors: opts.connectors,
    content: opts.content ?? new ContentStore(mkdtempSync(join(tmpdir(), 'crm-sync-content-'))),
  });
  await workers.start();
  return {
    settings: { client, namespace: 'default', taskQueue, uiUrl: 'http://localhost:8233' },
    client,
    workers,
    close: async () => {
      await workers.shutdown();
      await native.close();
      await connection.close();
    },
  };
}
