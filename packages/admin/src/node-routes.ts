// `GET /node`: which node this is, its version, database engine and uptime.
import { CoreSettings, inject, injectable, Storage } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ADMIN_PREFIX, type AdminRoutes } from './admin-api';
import { NodeInfo } from './admin-schemas';

const VERSION: string = require('../package.json').version;

/** The node resource. */
@injectable()
export class NodeRoutes implements AdminRoutes {
  private readonly startedAt = Date.now();

  constructor(
    @inject(CoreSettings) private readonly core: CoreSettings,
    @inject(Storage) private readonly storage: Storage,
  ) {}

  register(app: FastifyInstance): void {
    app
      .withTypeProvider<ZodTypeProvider>()
      .get(
        `${ADMIN_PREFIX}/node`,
        { schema: { tags: ['node'], response: { 200: NodeInfo } }, config: { role: 'viewer' } },
        async () => ({
          nodeName: this.core.nodeName,
          version: VERSION,
          database: this.storage.kind,
          uptimeSeconds: Math.round((Date.now() - this.startedAt) / 1000),
        }),
      );
  }
}
