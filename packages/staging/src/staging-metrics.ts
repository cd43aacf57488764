// Staging's series in the node's metrics: tasks logged and applied, staging latency, what waits per server, and
// the conflicts met on this node.
import { inject, injectable, Storage } from '@syncbus/core';
import { thisProcess } from '@syncbus/core/internal';
import type { MetricsContribution } from '@syncbus/server';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { StagingConflictStore } from './conflicts/staging-conflict-store';
import { StagingEvents } from './staging-events';
import { StagingQueue } from './staging-queue';
import { stagingQueueTotalsByName } from './staging-queue-totals';

/** Counters follow `StagingEvents`; the queue gauge is read from the database when scraped. */
@injectable()
export class StagingMetrics implements MetricsContribution {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingEvents) private readonly events: StagingEvents,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(StagingConflictStore) private readonly conflicts: StagingConflictStore,
  ) {}

  registerMetrics(registry: Registry): void {
    const registers = [registry];
    const storage = this.storage;
    const logged = new Counter({
      name: 'syncbus_staging_tasks_logged_total',
      help: 'Staging tasks logged on this node, by object type.',
      labelNames: ['object_type'],
      registers,
    });
    const applied = new Counter({
      name: 'syncbus_staging_tasks_applied_total',
      help: 'Staging tasks received and applied on this node, by source server.',
      labelNames: ['source'],
      registers,
    });
    const latency = new Histogram({
      name: 'syncbus_staging_latency_seconds',
      help: 'From logging on the source to applied here, by source server (clocks of both nodes).',
      labelNames: ['source'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    new Gauge({
      name: 'syncbus_staging_synchronizations',
      help: 'Staging tasks waiting for each target server, by status (pending, failed).',
      labelNames: ['server', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const row of await stagingQueueTotalsByName(storage))
          this.set({ server: row.name, status: row.status }, Number(row.count));
      },
    });
    const queue = this.queue;
    new Gauge({
      name: 'syncbus_staging_leases_held',
      help: 'Staging synchronization rows this process holds a lease on (batches being sent).',
      registers,
      async collect() {
        this.set((await queue.leasesByProcess()).get(thisProcess()) ?? 0);
      },
    });
    const conflicts = this.conflicts;
    new Gauge({
      name: 'syncbus_staging_conflicts_open',
      help: 'Conflicts on this node (the target) held until a person resolves them.',
      registers,
      async collect() {
        this.set(await conflicts.openCount());
      },
    });
    const met = new Counter({
      name: 'syncbus_staging_conflicts_total',
      help: 'Received tasks that met an object changed on this node, by source server and outcome.',
      labelNames: ['source', 'outcome'],
      registers,
    });
    this.events.conflict.after.subscribe(({ sourceServer, outcome }) =>
      met.inc({ source: sourceServer, outcome: outcome ?? 'unknown' }),
    );
    this.events.logTask.after.subscribe(({ task }) => logged.inc({ object_type: task.objectType }));
    this.events.processTask.after.subscribe(({ task, sourceServer }) => {
      applied.inc({ source: sourceServer });
      latency.observe({ source: sourceServer }, Math.max(0, Date.now() - task.createdAt) / 1000);
    });
  }
}
