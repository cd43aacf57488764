// `GET /audit`: the audit trail of operator actions, newest first.
import { inject, injectable } from '@syncbus/core';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ADMIN_PREFIX, readPageLimit, type AdminRoutes } from '@syncbus/server';
import { AdminAudit } from './admin-audit';
import { AdminSettings } from './admin-settings';
import { AuditEntryView, AuditQuery, ErrorBody } from './admin-schemas';

/** The audit resource. */
@injectable()
export class AuditRoutes implements AdminRoutes {
  constructor(
    @inject(AdminAudit) private readonly audit: AdminAudit,
    @inject(AdminSettings) private readonly settings: AdminSettings,
  ) {}

  register(app: FastifyInstance): void {
    app.withTypeProvider<ZodTypeProvider>().get(
      `${ADMIN_PREFIX}/audit`,
      {
        schema: {
          tags: ['audit'],
          querystring: AuditQuery,
          response: { 200: z.array(AuditEntryView), 400: ErrorBody },
        },
        config: { role: 'viewer' },
      },
      async (request) => {
        const limit = readPageLimit(request.query.limit, this.settings.maxPageSize, 'before');
        const entries = await this.audit.list({ limit, before: request.query.before });
        return entries.map((e) => ({ ...e, target: JSON.parse(e.target) as unknown }));
      },
    );
  }
}
