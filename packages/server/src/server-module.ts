// The HTTP node module: serves every route and metrics contribution; it knows none of the packages that make them.
import { inject, Module, RegisterModule } from '@syncbus/core';
import { HealthRoute } from './health-route';
import { HttpRouteContribution } from './http-route-contribution';
import { HttpSettings, HttpSettingsSchema } from './http-settings';
import { MetricsRoute } from './metrics-route';
import { NodeMetrics } from './node-metrics';
import { SyncbusHttpServer } from './syncbus-http-server';

/** Starts the node's HTTP server on `onStart` (when `http.enabled`) and stops it on `onStop`. */
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
  constructor(
    @inject(SyncbusHttpServer) private readonly server: SyncbusHttpServer,
    @inject(HttpSettings) private readonly settings: HttpSettings,
  ) {
    super('Server');
  }

  override async onStart(): Promise<void> {
    if (this.settings.enabled) await this.server.start();
  }

  override async onStop(): Promise<void> {
    await this.server.stop();
  }
}
