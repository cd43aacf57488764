// The HTTP node module: serves every route contribution (staging receiver, health; later inbound tasks, admin).
import { inject, Module, RegisterModule } from '@syncbus/core';
import { IntegrationModule } from '@syncbus/integration';
import { StagingModule } from '@syncbus/staging';
import { HealthRoute } from './health-route';
import { HttpRouteContribution } from './http-route-contribution';
import { HttpSettings, HttpSettingsSchema } from './http-settings';
import { IncomingTasksRoute } from './incoming-tasks-route';
import { MetricsRoute } from './metrics-route';
import { NodeMetrics } from './node-metrics';
import { StagingReceiverRoute } from './staging-receiver-route';
import { SyncbusHttpServer } from './syncbus-http-server';

/** Starts the node's HTTP server on `onStart` (when `http.enabled`) and stops it on `onStop`. */
@RegisterModule({
  dependsOn: [StagingModule, IntegrationModule],
  settings: [{ key: 'http', schema: HttpSettingsSchema, token: HttpSettings }],
  providers: [
    SyncbusHttpServer,
    HealthRoute,
    StagingReceiverRoute,
    IncomingTasksRoute,
    NodeMetrics,
    MetricsRoute,
    { provide: HttpRouteContribution, useExisting: HealthRoute },
    { provide: HttpRouteContribution, useExisting: MetricsRoute },
    { provide: HttpRouteContribution, useExisting: StagingReceiverRoute },
    { provide: HttpRouteContribution, useExisting: IncomingTasksRoute },
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
