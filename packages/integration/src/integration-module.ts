// The integration bus as a module: its services, tables, settings, and the lifecycle of its processor.
import { CoreSettings, inject, Logger, Module, ObjectChangeListener, RegisterModule } from '@syncbus/core';
import { receivedTaskRetentionProvider, roleReceives } from '@syncbus/core/internal';
import { AdminRoutes, HttpRouteContribution, MetricsContribution, QueueLagSource } from '@syncbus/server';
import { ConnectorAdminRoutes } from './admin/connector-admin-routes';
import { IntegrationTaskAdminRoutes } from './admin/integration-task-admin-routes';
import { ConnectorOverview } from './connectors/connector-overview';
import { IntegrationConnectorRegistry, unknownConnectors } from './connectors/integration-connector-registry';
import type { LoadedConnector } from './connectors/loaded-connector';
import { IncomingTaskApplier } from './incoming/incoming-task-applier';
import { IncomingTaskLog } from './incoming/incoming-task-log';
import { IncomingTaskService } from './incoming/incoming-task-service';
import { IncomingTasksRoute } from './incoming/incoming-tasks-route';
import { IntegrationMetrics } from './integration-metrics';
import { IntegrationReceivedTaskRetention } from './incoming/integration-received-task-retention';
import { IntegrationConnectorInfoProvider } from './integration-connector-info-provider';
import { IntegrationEventEmitters } from './integration-event-emitters';
import { IntegrationEvents } from './integration-events';
import { IntegrationHelper } from './integration-helper';
import {
  ConnectorsSettings,
  ConnectorsSettingsSchema,
  IntegrationSettings,
  IntegrationSettingsSchema,
} from './integration-settings';
import { IntegrationQueues } from './processing/integration-queues';
import { IntegrationSyncLog } from './processing/integration-sync-log';
import { IntegrationSynchronizations } from './processing/integration-synchronizations';
import { IntegrationTaskProcessor } from './processing/integration-task-processor';
import { CreateIntegrationReceivedTasks1730000000410 } from './storage/create-integration-received-tasks.migration';
import { CreateIntegrationTables1730000000400 } from './storage/create-integration-tables.migration';
import { IntegrationConnectorEntity } from './storage/integration-connector.entity';
import { IntegrationSyncLogEntity } from './storage/integration-sync-log.entity';
import { IntegrationReceivedTaskEntity } from './storage/integration-received-task.entity';
import { AddIntegrationWakeups1770000000400 } from './storage/add-integration-wakeups.migration';
import { AddIntegrationQueueBatch1790000000400 } from './storage/add-integration-queue-batch.migration';
import { AddConnectorState1760000000400 } from './storage/add-connector-state.migration';
import {
  IntegrationExternalSynchronizationEntity,
  IntegrationSynchronizationEntity,
} from './storage/integration-synchronization.entity';
import { IntegrationTaskEntity } from './storage/integration-task.entity';
import { IntegrationTaskLogger } from './tasks/integration-task-logger';
import { IntegrationTaskStore } from './tasks/integration-task-store';

/**
 * Kentico's integration bus. Loads the connectors the node's plugins register (in `onInit`, so other modules'
 * `onStart` can use them), logs outgoing tasks with every change, and drains each connector's queues (and prunes
 * the ledger of incoming task guids) from start to stop: those are the processor's and the retention's own hooks,
 * which the kernel runs before this module's `onStart` and after its `onStop`, so connectors' own background work
 * starts once their drains run and stops before them. Add it with
 * `Kernel.boot({ modules: [IntegrationModule] })` or the plugin `@syncbus/integration`.
 */
@RegisterModule({
  providers: [
    IntegrationEventEmitters,
    IntegrationEvents,
    IntegrationConnectorRegistry,
    IntegrationConnectorInfoProvider,
    IntegrationHelper,
    IntegrationQueues,
    IntegrationTaskStore,
    IntegrationSyncLog,
    IntegrationTaskProcessor,
    IntegrationSynchronizations,
    IncomingTaskApplier,
    IncomingTaskLog,
    IncomingTaskService,
    receivedTaskRetentionProvider(
      IntegrationReceivedTaskRetention,
      { table: 'integration_received_task', timeColumn: 'received_at' },
      IntegrationSettings,
    ),
    IntegrationTaskLogger,
    { provide: ObjectChangeListener, useExisting: IntegrationTaskLogger },
    // Served and scraped only on a node that has the HTTP server (ServerModule); nothing here needs it.
    IncomingTasksRoute,
    { provide: HttpRouteContribution, useExisting: IncomingTasksRoute },
    IntegrationMetrics,
    { provide: MetricsContribution, useExisting: IntegrationMetrics },
    ConnectorOverview,
    { provide: QueueLagSource, useExisting: ConnectorOverview },
    // Served only on a node that has the admin API (@syncbus/admin); resolved by nothing else.
    ConnectorAdminRoutes,
    IntegrationTaskAdminRoutes,
    { provide: AdminRoutes, useExisting: ConnectorAdminRoutes },
    { provide: AdminRoutes, useExisting: IntegrationTaskAdminRoutes },
  ],
  entities: [
    IntegrationConnectorEntity,
    IntegrationTaskEntity,
    IntegrationSynchronizationEntity,
    IntegrationExternalSynchronizationEntity,
    IntegrationSyncLogEntity,
    IntegrationReceivedTaskEntity,
  ],
  migrations: [
    CreateIntegrationTables1730000000400,
    CreateIntegrationReceivedTasks1730000000410,
    AddConnectorState1760000000400,
    AddIntegrationWakeups1770000000400,
    AddIntegrationQueueBatch1790000000400,
  ],
  settings: [
    { key: 'integration', schema: IntegrationSettingsSchema, token: IntegrationSettings },
    {
      key: 'connectors',
      schema: ConnectorsSettingsSchema,
      token: ConnectorsSettings,
      check: (entries: ConnectorsSettings, classes) => unknownConnectors(entries, classes),
    },
  ],
})
export class IntegrationModule extends Module {
  private readonly running: LoadedConnector[] = [];

  constructor(
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
    @inject(Logger) private readonly logger: Logger,
    @inject(CoreSettings) private readonly core: CoreSettings,
  ) {
    super('Integration');
  }

  override async onInit(): Promise<void> {
    await this.registry.load((connector, task) => this.processor.processNow(connector, task));
    for (const connector of this.registry.all()) this.processor.add(connector);
  }

  override async onStart(): Promise<void> {
    // Connectors' own background work (e.g. consumers of inbound queues) is receiving: only where the role
    // receives. One that fails to start is logged only.
    if (!roleReceives(this.core.role)) return;
    for (const connector of this.registry.all()) {
      if (!connector.enabled || connector.problem) continue;
      try {
        await connector.instance.start();
        this.running.push(connector);
      } catch (error) {
        this.logger.error({ err: error, connector: connector.name }, 'connector start() failed');
      }
    }
  }

  override async onStop(): Promise<void> {
    for (const connector of this.running.splice(0).reverse()) {
      try {
        await connector.instance.stop();
      } catch (error) {
        this.logger.error({ err: error, connector: connector.name }, 'connector stop() failed');
      }
    }
  }
}
