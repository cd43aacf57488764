// `GET /node`: which node this is, its version, database engine and uptime, and how far behind each queue is.
import { CoreSettings, inject, injectable, multiInject, optional, Storage } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, QueueLagSource, type AdminRoutes } from '@syncbus/server';
import { NodeInfo } from './admin-schemas';

const VERSION: string = require('../package.json').version;

/** The node resource. */
@injectable()
export class NodeRoutes implements AdminRoutes {
  private readonly startedAt = Date.now();

  constructor(
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(Storage) private readonly storage: Storage,
    @multiInject(QueueLagSource) @optional() private readonly lagSources: QueueLagSource[] = [],
  ) {}

  register(app: FastifyInstance): void {
    app
      .withTypeProvider<ZodTypeProvider>()
      .get(
        `${ADMIN_PREFIX}/node`,
        { schema: { tags: ['node'], response: { 200: NodeInfo } }, config: { role: 'viewer' } },
        async () => {
          const now = Date.now();
          const lags = (await Promise.all(this.lagSources.map((source) => source.queueLag()))).flat();
          return {
            nodeName: this.core.nodeName,
            version: VERSION,
            database: this.storage.kind,
            uptimeSeconds: Math.round((now - this.startedAt) / 1000),
            // How long the oldest pending task of each queue has waited; 0 when nothing waits.
            lag: lags.map((lag) => ({
              ...lag,
              lagSeconds: lag.oldestPendingAt === null ? 0 : Math.max(0, (now - lag.oldestPendingAt) / 1000),
            })),
          };
        },
      );
  }
}
