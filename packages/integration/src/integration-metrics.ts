// The integration bus's series in the node's metrics: tasks logged per direction, and what waits per connector.
import { inject, injectable, Storage } from '@syncbus/core';
import { thisProcess, withSqlRead } from '@syncbus/core/internal';
import type { MetricsContribution } from '@syncbus/server';
import { Counter, Gauge, type Registry } from 'prom-client';
import { IntegrationEvents } from './integration-events';
import { IntegrationSynchronizations } from './processing/integration-synchronizations';

/** The counter follows `IntegrationEvents`; the queue gauge is read from the database when scraped. */
@injectable()
export class IntegrationMetrics implements MetricsContribution {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationEvents) private readonly events: IntegrationEvents,
    @inject(IntegrationSynchronizations) private readonly synchronizations: IntegrationSynchronizations,
  ) {}

  registerMetrics(registry: Registry): void {
    const registers = [registry];
    const storage = this.storage;
    const synchronizations = this.synchronizations;
    new Gauge({
      name: 'syncbus_integration_leases_held',
      help: 'Integration synchronization rows (both directions) this process holds a lease on (tasks in a call).',
      registers,
      async collect() {
        this.set((await synchronizations.leasesByProcess()).get(thisProcess()) ?? 0);
      },
    });
    const logged = new Counter({
      name: 'syncbus_integration_tasks_logged_total',
      help: 'Integration tasks logged on this node, by direction.',
      labelNames: ['direction'],
      registers,
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
          // A read: on SQLite the read-only connection, so a scrape never waits for a writer.
          const rows = await withSqlRead(storage, (sql) =>
            sql.all<{ name: string; status: string; count: unknown }>(
              `SELECT c.name AS name, s.status AS status, COUNT(*) AS count FROM ${table} s
                 JOIN integration_connector c ON c.id = s.connector_id GROUP BY c.name, s.status`,
            ),
          );
          for (const row of rows)
            this.set({ connector: row.name, direction, status: row.status }, Number(row.count));
        }
      },
    });
    this.events.logInternalTask.after.subscribe(() => logged.inc({ direction: 'outgoing' }));
    this.events.logExternalTask.after.subscribe(() => logged.inc({ direction: 'incoming' }));
  }
}
