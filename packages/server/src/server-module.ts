// The HTTP node module: serves every route and metrics contribution; it knows none of the packages that make them.
import { Module, RegisterModule } from '@syncbus/core';
import { HealthRoute } from './health-route';
import { HttpRouteContribution } from './http-route-contribution';
import { HttpSettings, HttpSettingsSchema } from './http-settings';
import { MetricsRoute } from './metrics-route';
import { NodeMetrics } from './node-metrics';
import { SyncbusHttpServer } from './syncbus-http-server';

/** The node's HTTP server, which starts with the node when `http.enabled` and stops with it (its own hooks). */
@RegisterModule({
  settings: [{ key: 'http', schema: HttpSettingsSchema, token: HttpSettings }],
  providers: [
    SyncbusHttpServer,
    HealthRoute,
    NodeMetrics,
    MetricsRoute,
    { provide: HttpRouteContribution, useExisting: HealthRoute },
    { provide: HttpRouteContribution, useExisting: MetricsRoute },
  ],
})
export class ServerModule extends Module {
  constructor() {
    super('Server');
  }
}
