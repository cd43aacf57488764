// The admin API's HTTP side: one encapsulated fastify scope under /syncbus/admin/v1 with zod schemas, bearer
// tokens and roles, and the OpenAPI document generated from the same schemas.
import { inject, injectable, multiInject, optional } from '@syncbus/core';
import swagger from '@fastify/swagger';
import type { HttpRouteContribution } from '@syncbus/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AdminAuthenticator, allows, type AdminPrincipal } from './admin-authenticator';
import { AdminSettings, type AdminRole } from './admin-settings';

/** Where the admin API lives. */
export const ADMIN_PREFIX = '/syncbus/admin/v1';

/**
 * A group of admin routes (servers, staging tasks, ...), bound (multi) under `AdminRoutes`. It registers into the
 * API's scope (zod schemas compile there, the authentication hook runs first) and gives every route
 * `config: { role }`; a route without one needs `operator`.
 */
export const AdminRoutes = Symbol('AdminRoutes');
export interface AdminRoutes {
  register(app: FastifyInstance): void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, once the admin API's authentication hook has run. */
    adminPrincipal?: AdminPrincipal;
  }
  interface FastifyContextConfig {
    role?: AdminRole;
  }
}

/** Serves the admin API when `admin.enabled`; otherwise registers nothing. */
@injectable()
export class AdminApi implements HttpRouteContribution {
  readonly name = 'admin-api';

  constructor(
    @inject(AdminSettings) private readonly settings: AdminSettings,
    @inject(AdminAuthenticator) private readonly authenticator: AdminAuthenticator,
    @multiInject(AdminRoutes) @optional() private readonly routes: AdminRoutes[] = [],
  ) {}

  async registerRoutes(app: FastifyInstance): Promise<void> {
    if (!this.settings.enabled) return;
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        info: {
          title: 'syncbus admin API',
          version: '1',
          description: 'Servers, staging tasks and the node, for operators (docs/admin-api.md).',
        },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
        security: [{ bearer: [] }],
      },
      transform: jsonSchemaTransform,
      transformObject: jsonSchemaTransformObject,
    });
    // No token or a wrong one: 401 before anything is read or done; a role too low for the route: 403.
    app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
      const principal = this.authenticator.authenticate(request.headers.authorization);
      if (!principal) {
        return reply.code(401).send({
          error: 'UNAUTHORIZED',
          message: 'Send Authorization: Bearer <token>, a token listed in admin.tokens.',
        });
      }
      request.adminPrincipal = principal;
      const needed = request.routeOptions.config.role ?? 'operator';
      if (!allows(principal.role, needed)) {
        return reply.code(403).send({
          error: 'FORBIDDEN',
          message: `Token '${principal.name}' has role ${principal.role}; this needs ${needed}.`,
        });
      }
    });
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/openapi.json`,
      { schema: { hide: true }, config: { role: 'viewer' } },
      async () => app.swagger(),
    );
    for (const group of this.routes) group.register(app);
  }
}
