// The integration bus as a module: its services, tables, settings, and the lifecycle of its processor.
import { inject, Module, ObjectChangeListener, RegisterModule } from '@syncbus/core';
import { IntegrationConnectorRegistry } from './connectors/integration-connector-registry';
import { IncomingTaskApplier } from './incoming/incoming-task-applier';
import { IncomingTaskLog } from './incoming/incoming-task-log';
import { IncomingTaskService } from './incoming/incoming-task-service';
import { IntegrationConnectorInfoProvider } from './integration-connector-info-provider';
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
import { CreateIntegrationTables1730000000400 } from './storage/create-integration-tables.migration';
import { IntegrationConnectorEntity } from './storage/integration-connector.entity';
import { IntegrationSyncLogEntity } from './storage/integration-sync-log.entity';
import {
  IntegrationExternalSynchronizationEntity,
  IntegrationSynchronizationEntity,
} from './storage/integration-synchronization.entity';
import { IntegrationTaskEntity } from './storage/integration-task.entity';
import { IntegrationTaskLogger } from './tasks/integration-task-logger';
import { IntegrationTaskStore } from './tasks/integration-task-store';

/**
 * Kentico's integration bus. Loads the connectors the node's plugins register (in `onInit`, so other modules'
 * `onStart` can use them), logs outgoing tasks with every change, and drains each connector's queues from
 * `onStart` until `onStop`. Add it with `Kernel.boot({ modules: [IntegrationModule] })` or the plugin
 * `@syncbus/integration`.
 */
@RegisterModule({
  providers: [
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
    IntegrationTaskLogger,
    { provide: ObjectChangeListener, useExisting: IntegrationTaskLogger },
  ],
  entities: [
    IntegrationConnectorEntity,
    IntegrationTaskEntity,
    IntegrationSynchronizationEntity,
    IntegrationExternalSynchronizationEntity,
    IntegrationSyncLogEntity,
  ],
  migrations: [CreateIntegrationTables1730000000400],
  settings: [
    { key: 'integration', schema: IntegrationSettingsSchema, token: IntegrationSettings },
    { key: 'connectors', schema: ConnectorsSettingsSchema, token: ConnectorsSettings },
  ],
})
export class IntegrationModule extends Module {
  constructor(
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {
    super('Integration');
  }

  override async onInit(): Promise<void> {
    await this.registry.load((connector, task) => this.processor.processNow(connector, task));
    for (const connector of this.registry.all()) this.processor.add(connector);
  }

  override onStart(): void {
    this.processor.start();
  }

  override async onStop(): Promise<void> {
    await this.processor.stop();
  }
}
