// The node's Prometheus metrics: tasks logged, applied, pending and failed, and staging latency, per server and connector.
import { inject, injectable, Storage } from '@syncbus/core';
import { IntegrationEvents } from '@syncbus/integration';
import { StagingEvents } from '@syncbus/staging';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * One registry per node (not prom-client's global one), so several nodes in a process never share series.
 * Counters follow the events; queue gauges are read from the database when scraped.
 */
@injectable()
export class NodeMetrics {
  readonly registry = new Registry();
  /** Requests the node's routes refused (4xx), by route and status: what strangers try, counted, not logged. */
  readonly refused = new Counter({
    name: 'syncbus_http_requests_refused_total',
    help: 'HTTP requests answered 4xx, by route and status.',
    labelNames: ['route', 'status'],
    registers: [this.registry],
  });

  constructor(
    @inject(Storage) storage: Storage,
    @inject(StagingEvents) staging: StagingEvents,
    @inject(IntegrationEvents) integration: IntegrationEvents,
  ) {
    const registers = [this.registry];
    const stagingLogged = new Counter({
      name: 'syncbus_staging_tasks_logged_total',
      help: 'Staging tasks logged on this node, by object type.',
      labelNames: ['object_type'],
      registers,
    });
    const stagingApplied = new Counter({
      name: 'syncbus_staging_tasks_applied_total',
      help: 'Staging tasks received and applied on this node, by source server.',
      labelNames: ['source'],
      registers,
    });
    const stagingLatency = new Histogram({
      name: 'syncbus_staging_latency_seconds',
      help: 'From logging on the source to applied here, by source server (clocks of both nodes).',
      labelNames: ['source'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120, 600],
      registers,
    });
    const integrationLogged = new Counter({
      name: 'syncbus_integration_tasks_logged_total',
      help: 'Integration tasks logged on this node, by direction.',
      labelNames: ['direction'],
      registers,
    });
    new Gauge({
      name: 'syncbus_staging_synchronizations',
      help: 'Staging tasks waiting for each target server, by status (pending, failed).',
      labelNames: ['server', 'status'],
      registers,
      async collect() {
        this.reset();
        const rows: { name: string; status: string; count: unknown }[] = await storage.dataSource.query(
          `SELECT v.name AS name, s.status AS status, COUNT(*) AS count FROM staging_synchronization s
             JOIN staging_server v ON v.id = s.server_id GROUP BY v.name, s.status`,
        );
        for (const row of rows) this.set({ server: row.name, status: row.status }, Number(row.count));
      },
    });
    new Gauge({
      name: 'syncbus_integration_synchronizations',
      help: 'Integration tasks waiting for each connector, by direction and status.',
      labelNames: ['connector', 'direction', 'status'],
      registers,
      async collect() {
        this.reset();
        for (const [direction, table] of [
          ['outgoing', 'integration_synchronization'],
          ['incoming', 'integration_external_synchronization'],
        ] as const) {
          const rows: { name: string; status: string; count: unknown }[] = await storage.dataSource.query(
            `SELECT c.name AS name, s.status AS status, COUNT(*) AS count FROM ${table} s
               JOIN integration_connector c ON c.id = s.connector_id GROUP BY c.name, s.status`,
          );
          for (const row of rows)
            this.set({ connector: row.name, direction, status: row.status }, Number(row.count));
        }
      },
    });

    staging.logTask.after.subscribe(({ task }) => stagingLogged.inc({ object_type: task.objectType }));
    staging.processTask.after.subscribe(({ task, sourceServer }) => {
      stagingApplied.inc({ source: sourceServer });
      stagingLatency.observe({ source: sourceServer }, Math.max(0, Date.now() - task.createdAt) / 1000);
    });
    integration.logInternalTask.after.subscribe(() => integrationLogged.inc({ direction: 'outgoing' }));
    integration.logExternalTask.after.subscribe(() => integrationLogged.inc({ direction: 'incoming' }));
  }
}
