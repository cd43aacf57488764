// The node's Prometheus registry: the server's own series, and every package's MetricsContribution.
import { CoreSettings, inject, injectable, multiInject, optional } from '@syncbus/core';
import { QueueWakeups, thisProcess } from '@syncbus/core/internal';
import { Counter, Gauge, Registry } from 'prom-client';
import { MetricsContribution } from './metrics-contribution';

/** One registry per node (not prom-client's global one), so several nodes in a process never share series. */
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
    @inject(CoreSettings) core: CoreSettings,
    @inject(QueueWakeups) wakeups: QueueWakeups,
    @multiInject(MetricsContribution) @optional() contributions: MetricsContribution[] = [],
  ) {
    const registers = [this.registry];
    // What this process is (several processes of one node each answer their own /metrics).
    new Gauge({
      name: 'syncbus_process_info',
      help: 'This process of the node (value 1), by role and <host>:<pid>.',
      labelNames: ['role', 'process'],
      registers,
      collect() {
        this.reset();
        this.set({ role: core.role, process: thisProcess() }, 1);
      },
    });
    new Gauge({
      name: 'syncbus_wakeup_connection',
      help: "This process's PostgreSQL wake-up connection: 1 for its state (unused, listening, reconnecting).",
      labelNames: ['state'],
      registers,
      collect() {
        this.reset();
        this.set({ state: wakeups.state }, 1);
      },
    });
    for (const contribution of contributions) contribution.registerMetrics(this.registry);
  }
}
