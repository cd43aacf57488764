// `/metrics`: the node's metrics in the Prometheus text format.
import { bearerToken, sameSecret } from '@syncbus/core/internal';
import { inject, injectable, SyncbusError } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';
import { HttpSettings } from './http-settings';
import { NodeMetrics } from './node-metrics';

/** `GET /metrics`; behind a bearer token when `http.metricsToken` is set. */
@injectable()
export class MetricsRoute implements HttpRouteContribution {
  readonly name = 'metrics';

  constructor(
    @inject(NodeMetrics) private readonly metrics: NodeMetrics,
    @inject(HttpSettings) private readonly settings: HttpSettings,
  ) {}

  registerRoutes(app: FastifyInstance): void {
    const token = this.settings.metricsToken;
    app.get('/metrics', async (request, reply) => {
      if (token && !sameSecret(bearerToken(request.headers.authorization), token.reveal())) {
        throw new SyncbusError(
          'UNAUTHORIZED',
          'Missing or wrong token; send Authorization: Bearer <the secret http.metricsToken names>.',
          { kind: 'unauthenticated' },
        );
      }
      return reply.type(this.metrics.registry.contentType).send(await this.metrics.registry.metrics());
    });
  }
}
