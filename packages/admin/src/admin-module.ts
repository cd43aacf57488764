// The admin module: the admin API (off unless `admin.enabled`), contributed to the node's HTTP server.
import { Module, RegisterModule } from '@syncbus/core';
import { HttpRouteContribution } from '@syncbus/server';
import { StagingModule } from '@syncbus/staging';
import { AdminApi, AdminRoutes } from './admin-api';
import { AdminAuthenticator } from './admin-authenticator';
import { AdminSettings, AdminSettingsSchema } from './admin-settings';
import { NodeRoutes } from './node-routes';
import { ServerRoutes } from './server-routes';
import { StagingTaskRoutes } from './staging-task-routes';

/** Serves `/syncbus/admin/v1/...` on a node that has the HTTP server (ServerModule) and `admin.enabled`. */
@RegisterModule({
  dependsOn: [StagingModule],
  settings: [{ key: 'admin', schema: AdminSettingsSchema, token: AdminSettings }],
  providers: [
    AdminAuthenticator,
    AdminApi,
    { provide: HttpRouteContribution, useExisting: AdminApi },
    NodeRoutes,
    ServerRoutes,
    StagingTaskRoutes,
    { provide: AdminRoutes, useExisting: NodeRoutes },
    { provide: AdminRoutes, useExisting: ServerRoutes },
    { provide: AdminRoutes, useExisting: StagingTaskRoutes },
  ],
})
export class AdminModule extends Module {
  constructor() {
    super('Admin');
  }
}
