// `/healthz`: answers 200 while the node can reach its database, 503 otherwise (for load balancers and probes),
// with what this process is: its role and the state of its wake-up connection.
import { CoreSettings, inject, injectable, Logger, Storage } from '@syncbus/core';
import { QueueWakeups } from '@syncbus/core/internal';
import type { FastifyInstance } from 'fastify';
import type { HttpRouteContribution } from './http-route-contribution';

/** `GET /healthz`. */
@injectable()
export class HealthRoute implements HttpRouteContribution {
  readonly name = 'health';

  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(Logger) private readonly logger: Logger,
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(QueueWakeups) private readonly wakeups: QueueWakeups,
  ) {}

  registerRoutes(app: FastifyInstance): void {
    app.get('/healthz', async (_request, reply) => {
      try {
        await this.storage.dataSource.query('SELECT 1');
        // A wake-up connection that is reconnecting is not unhealthy: workers poll meanwhile.
        return {
          status: 'ok',
          database: this.storage.kind,
          role: this.core.role,
          wakeups: this.wakeups.state,
        };
      } catch (error) {
        // The detail goes to the node's log, not to whoever probes the port.
        this.logger.warn({ err: error }, 'health check: the database does not answer');
        return reply.code(503).send({ status: 'unavailable', message: 'the database does not answer' });
      }
    });
  }
}
