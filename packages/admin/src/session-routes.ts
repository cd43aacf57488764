// `GET /session`: who the bearer token is, so a page can show actions only to those who may take them.
import { injectable } from '@syncbus/core';
import { ADMIN_PREFIX, type AdminRoutes } from '@syncbus/server';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { SessionView } from './admin-schemas';

/** The session resource: the caller's token name and role (never the token). */
@injectable()
export class SessionRoutes implements AdminRoutes {
  register(app: FastifyInstance): void {
    app
      .withTypeProvider<ZodTypeProvider>()
      .get(
        `${ADMIN_PREFIX}/session`,
        { schema: { tags: ['node'], response: { 200: SessionView } }, config: { role: 'viewer' } },
        async (request) => ({ name: request.adminPrincipal!.name, role: request.adminPrincipal!.role }),
      );
  }
}
