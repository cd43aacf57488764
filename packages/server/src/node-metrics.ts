// The node's Prometheus registry: the server's own series, and every package's MetricsContribution.
import { injectable, multiInject, optional } from '@syncbus/core';
import { Counter, Registry } from 'prom-client';
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

  constructor(@multiInject(MetricsContribution) @optional() contributions: MetricsContribution[] = []) {
    for (const contribution of contributions) contribution.registerMetrics(this.registry);
  }
}
