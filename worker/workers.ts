import type { MikroORM } from '@mikro-orm/postgresql';
import { type NativeConnection, Worker, type WorkflowBundleOption } from '@temporalio/worker';
import { budgetOf } from '../config/connections.js';
import type { ConnectorRegistry } from '../activities/deps.js';
import { createConnectionQueueActivities, createMainQueueActivities } from '../activities/index.js';
import type { ContentStore } from '../storage/content-store.js';
import { ConnectionsRepository, toConnectionConfig } from '../db/repositories/connections.repository.js';
import { connectionQueue } from '../workflows/definitions.js';

export interface WorkerSetOptions {
  connection: NativeConnection;
  namespace: string;
  /** The main queue: workflows and DB activities. */
  taskQueue: string;
  workflowBundle: WorkflowBundleOption;
  orm: MikroORM;
  connectors: ConnectorRegistry;
  content: ContentStore;
  /** Workflows kept in memory between tasks (Temporal's sticky cache). */
  maxCachedWorkflows?: number;
  /** Threads running workflow code (each a V8 isolate with its own heap). */
  workflowThreads?: number;
  /** How often to look for connections added since start; 0 disables. */
  refreshMs?: number;
  log?: (msg: string) => void;
}

/**
 * One Worker for the main queue and one per connection queue `crm.<id>`, whose activity rate and concurrency
 * follow the connection's budget so every worker process shares it through Temporal.
 */
export class WorkerSet {
  private readonly running = new Map<string, { worker: Worker; done: Promise<void> }>();
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(private readonly opts: WorkerSetOptions) {}

  async start(): Promise<void> {
    const main = await Worker.create({
      connection: this.opts.connection,
      namespace: this.opts.namespace,
      taskQueue: this.opts.taskQueue,
      workflowBundle: this.opts.workflowBundle,
      activities: createMainQueueActivities(this.opts),
      maxCachedWorkflows: this.opts.maxCachedWorkflows,
      workflowThreadPoolSize: this.opts.workflowThreads,
      shutdownGraceTime: '10 seconds',
    });
    this.track(this.opts.taskQueue, main);
    await this.syncConnectionWorkers();
    if (this.opts.refreshMs) {
      this.timer = setInterval(() => {
        this.syncConnectionWorkers().catch((err) => this.opts.log?.(`connection refresh failed: ${String(err)}`));
      }, this.opts.refreshMs);
      this.timer.unref();
    }
  }

  /** Starts workers for connections that have none yet. */
  async syncConnectionWorkers(): Promise<string[]> {
    const rows = await new ConnectionsRepository(this.opts.orm.em.fork()).list();
    const added: string[] = [];
    const activities = createConnectionQueueActivities(this.opts);
    for (const row of rows) {
      const queue = connectionQueue(row.id);
      if (this.running.has(queue) || this.stopping) continue;
      const budget = budgetOf(toConnectionConfig(row));
      const worker = await Worker.create({
        connection: this.opts.connection,
        namespace: this.opts.namespace,
        taskQueue: queue,
        activities,
        maxTaskQueueActivitiesPerSecond: (budget.maxRequests * 1000) / budget.perMs,
        maxConcurrentActivityTaskExecutions: budget.maxConcurrent,
        shutdownGraceTime: '10 seconds',
      });
      this.track(queue, worker);
      added.push(queue);
      this.opts.log?.(`polling ${queue}`);
    }
    return added;
  }

  queues(): string[] {
    return [...this.running.keys()];
  }

  async shutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    for (const { worker } of this.running.values()) if (worker.getState() === 'RUNNING') worker.shutdown();
    await Promise.allSettled([...this.running.values()].map((r) => r.done));
  }

  private track(queue: string, worker: Worker): void {
    const done = worker.run().catch((err) => {
      this.opts.log?.(`worker ${queue} stopped: ${String(err)}`);
    });
    this.running.set(queue, { worker, done });
  }
}
