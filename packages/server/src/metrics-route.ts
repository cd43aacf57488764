// `/metrics`: the node's metrics in the Prometheus text format.
import { inject, injectable } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';
import { NodeMetrics } from './node-metrics';

/** `GET /metrics`. */
@injectable()
export class MetricsRoute implements HttpRouteContribution {
  readonly name = 'metrics';

  constructor(@inject(NodeMetrics) private readonly metrics: NodeMetrics) {}

  registerRoutes(app: FastifyInstance): void {
    app.get('/metrics', async (_request, reply) =>
      reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics()),
    );
  }
}
