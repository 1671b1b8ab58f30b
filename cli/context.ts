import type { MikroORM } from '@mikro-orm/postgresql';
import { Client, Connection } from '@temporalio/client';
import { EnvSchema, parseWith } from '../config/env.js';
import { initOrm } from '../db/mikro-orm.config.js';
import type { TemporalSettings } from '../services/syncs.service.js';

const CliEnv = EnvSchema.pick({
  DATABASE_URL: true,
  TEMPORAL_ADDRESS: true,
  TEMPORAL_NAMESPACE: true,
  TEMPORAL_TASK_QUEUE: true,
  TEMPORAL_UI_URL: true,
  CONNECTIONS_FILE: true,
  LOG_DIR: true,
});

/** The CLI talks to Postgres and Temporal directly; both are opened only by the commands that need them. */
export class CliContext {
  readonly env = parseWith(CliEnv);
  private orm?: MikroORM;
  private connection?: Connection;

  async db(): Promise<MikroORM> {
    this.orm ??= await initOrm(this.env.DATABASE_URL, { poolMax: 4 });
    return this.orm;
  }

  async temporal(): Promise<TemporalSettings> {
    this.connection ??= await Connection.connect({ address: this.env.TEMPORAL_ADDRESS, connectTimeout: '5s' });
    return {
      client: new Client({ connection: this.connection, namespace: this.env.TEMPORAL_NAMESPACE }),
      namespace: this.env.TEMPORAL_NAMESPACE,
      taskQueue: this.env.TEMPORAL_TASK_QUEUE,
      uiUrl: this.env.TEMPORAL_UI_URL,
    };
  }

  async close(): Promise<void> {
    await this.connection?.close();
    await this.orm?.close();
  }
}
