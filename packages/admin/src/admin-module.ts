// The admin module: the admin API (off unless `admin.enabled`), contributed to the node's HTTP server.
import { Module, RegisterModule } from '@syncbus/core';
import { HttpRouteContribution, AdminRoutes } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';
import { AdminApi } from './admin-api';
import { AdminAudit } from './admin-audit';
import { AdminAuditEntry } from './admin-audit-entry.entity';
import { AdminAuthenticator } from './admin-authenticator';
import { AdminEventStream } from './admin-event-stream';
import { AdminJobs } from './admin-jobs';
import { EventRoutes } from './event-routes';
import { JobRoutes } from './job-routes';
import { AuditRoutes } from './audit-routes';
import { CreateAdminTables1740000000500 } from './create-admin-tables.migration';
import { AdminSettings, AdminSettingsSchema } from './admin-settings';
import { NodeRoutes } from './node-routes';
import { ServerRoutes } from './server-routes';
import { StagingTaskRoutes } from './staging-task-routes';
import { DashboardRoute } from './dashboard-route';
import { SessionRoutes } from './session-routes';
import { ConflictRoutes } from './conflict-routes';

/** Serves `/syncbus/admin/v1/...` on a node that has the HTTP server (ServerModule) and `admin.enabled`. */
@RegisterModule({
  dependsOn: [StagingModule],
  entities: [AdminAuditEntry],
  migrations: [CreateAdminTables1740000000500],
  settings: [{ key: 'admin', schema: AdminSettingsSchema, token: AdminSettings }],
  providers: [
    AdminAuthenticator,
    AdminAudit,
    AdminJobs,
    AdminEventStream,
    AdminApi,
    { provide: HttpRouteContribution, useExisting: AdminApi },
    DashboardRoute,
    { provide: HttpRouteContribution, useExisting: DashboardRoute },
    NodeRoutes,
    ServerRoutes,
    StagingTaskRoutes,
    AuditRoutes,
    JobRoutes,
    EventRoutes,
    { provide: AdminRoutes, useExisting: NodeRoutes },
    { provide: AdminRoutes, useExisting: EventRoutes },
    { provide: AdminRoutes, useExisting: JobRoutes },
    { provide: AdminRoutes, useExisting: AuditRoutes },
    { provide: AdminRoutes, useExisting: ServerRoutes },
    { provide: AdminRoutes, useExisting: StagingTaskRoutes },
    SessionRoutes,
    { provide: AdminRoutes, useExisting: SessionRoutes },
    ConflictRoutes,
    { provide: AdminRoutes, useExisting: ConflictRoutes },
  ],
})
export class AdminModule extends Module {
  // Running jobs stop with the node in AdminJobs' own `onStop`.
  constructor() {
    super('Admin');
  }
}
