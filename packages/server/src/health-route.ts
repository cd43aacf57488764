// `/healthz`: answers 200 while the node can reach its database, 503 otherwise (for load balancers and probes).
import { inject, injectable, Storage } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';

/** `GET /healthz`. */
@injectable()
export class HealthRoute implements HttpRouteContribution {
  readonly name = 'health';

  constructor(@inject(Storage) private readonly storage: Storage) {}

  registerRoutes(app: FastifyInstance): void {
    app.get('/healthz', async (_request, reply) => {
      try {
        await this.storage.dataSource.query('SELECT 1');
        return { status: 'ok', database: this.storage.kind };
      } catch (error) {
        return reply
          .code(503)
          .send({ status: 'unavailable', message: `database: ${(error as Error).message}` });
      }
    });
  }
}
