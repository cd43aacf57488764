// The admin API's HTTP side: one encapsulated fastify scope under /syncbus/admin/v1 with zod schemas, bearer
// tokens and roles, and the OpenAPI document generated from the same schemas.
import { inject, injectable, multiInject, optional, SyncbusError } from '@syncbus/core';
import swagger from '@fastify/swagger';
import { ADMIN_PREFIX, AdminRoutes, type HttpRouteContribution } from '@syncbus/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { AdminAudit } from './admin-audit';
import { AdminAuthenticator, allows } from './admin-authenticator';
import { AdminEventStream } from './admin-event-stream';
import { AdminSettings } from './admin-settings';

/** Serves the admin API when `admin.enabled`; otherwise registers nothing. */
@injectable()
export class AdminApi implements HttpRouteContribution {
  readonly name = 'admin-api';

  constructor(
    @inject(AdminSettings) private readonly settings: AdminSettings,
    @inject(AdminAuthenticator) private readonly authenticator: AdminAuthenticator,
    @inject(AdminAudit) private readonly audit: AdminAudit,
    @inject(AdminEventStream) private readonly events: AdminEventStream,
    @multiInject(AdminRoutes) @optional() private readonly routes: AdminRoutes[] = [],
  ) {}

  /** Registers the API under its prefix: authentication, the OpenAPI document, and every route group. */
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
    app.addHook('onRequest', async (request: FastifyRequest) => {
      const principal = this.authenticator.authenticate(request.headers.authorization);
      if (!principal) {
        throw new SyncbusError(
          'UNAUTHORIZED',
          'Send Authorization: Bearer <token>, a token listed in admin.tokens.',
          { kind: 'unauthenticated' },
        );
      }
      request.adminPrincipal = principal;
      const needed = request.routeOptions.config.role ?? 'operator';
      if (!allows(principal.role, needed)) {
        throw new SyncbusError(
          'FORBIDDEN',
          `Token '${principal.name}' has role ${principal.role}; this needs ${needed}.`,
          { kind: 'forbidden' },
        );
      }
    });
    const typed = app.withTypeProvider<ZodTypeProvider>();
    typed.get(
      `${ADMIN_PREFIX}/openapi.json`,
      { schema: { hide: true }, config: { role: 'viewer' } },
      async () => app.swagger(),
    );
    const context = {
      maxPageSize: this.settings.maxPageSize,
      audit: this.audit,
      publish: this.events.publish.bind(this.events),
    };
    for (const group of this.routes) group.register(app, context);
  }
}
