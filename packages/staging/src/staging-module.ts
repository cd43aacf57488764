// The staging module: binds staging's services and tables, and brings the configured servers into the registry.
import { inject, Module, ObjectChangeListener, RegisterModule } from '@syncbus/core';
import { receivedTaskRetentionProvider } from '@syncbus/core/internal';
import { HttpRouteContribution, MetricsContribution, QueueLagSource } from '@syncbus/server';
import { ConflictDetection } from './conflicts/conflict-detection';
import { StagingConflictStore } from './conflicts/staging-conflict-store';
import { StagingConflicts } from './conflicts/staging-conflicts';
import { StagingConflict } from './entities/staging-conflict.entity';
import { StagingObjectBase } from './entities/staging-object-base.entity';
import { StagingReceivedTask } from './entities/staging-received-task.entity';
import { StagingServer } from './entities/staging-server.entity';
import { StagingSynchronization } from './entities/staging-synchronization.entity';
import { StagingTask } from './entities/staging-task.entity';
import { CreateStagingTables1700000000100 } from './migrations/create-staging-tables.migration';
import { ScaleStagingQueue1750000000100 } from './migrations/scale-staging-queue.migration';
import { AddServerPaused1760000000100 } from './migrations/add-server-paused.migration';
import { AddStagingWakeups1770000000100 } from './migrations/add-staging-wakeups.migration';
import { AddStagingQueueBatch1790000000100 } from './migrations/add-staging-queue-batch.migration';
import { AddStagingConflicts1780000000100 } from './migrations/add-staging-conflicts.migration';
import { ServerInfoProvider } from './server-info-provider';
import { ServerSecrets } from './server-secrets';
import { StagingDelivery } from './staging-delivery';
import { StagingEventEmitters } from './staging-event-emitters';
import { StagingEvents } from './staging-events';
import { stagingQueueProvider } from './staging-queue';
import { StagingReceivedTaskRetention } from './staging-received-task-retention';
import { StagingReceiver } from './staging-receiver';
import { StagingReceiverRoute } from './staging-receiver-route';
import { StagingMetrics } from './staging-metrics';
import { StagingQueueLag } from './staging-queue-lag';
import { StagingRequestVerifier } from './staging-request-verifier';
import {
  ServersSettings,
  ServersSettingsSchema,
  StagingSettings,
  StagingSettingsSchema,
} from './staging-settings';
import { StagingSynchronizer } from './staging-synchronizer';
import { StagingTaskLogger } from './staging-task-logger';
import { StagingTaskRunnerFactory } from './staging-task-runner-factory';
import { StagingTransport } from './staging-transport';
import { SynchronizationInfoProvider } from './synchronization-info-provider';

/** Content staging: task logging, servers, delivery and the receiver's services (the HTTP route is in @syncbus/server). */
@RegisterModule({
  entities: [
    StagingServer,
    StagingTask,
    StagingSynchronization,
    StagingReceivedTask,
    StagingObjectBase,
    StagingConflict,
  ],
  migrations: [
    CreateStagingTables1700000000100,
    ScaleStagingQueue1750000000100,
    AddServerPaused1760000000100,
    AddStagingWakeups1770000000100,
    AddStagingConflicts1780000000100,
    AddStagingQueueBatch1790000000100,
  ],
  settings: [
    { key: 'staging', schema: StagingSettingsSchema, token: StagingSettings },
    { key: 'servers', schema: ServersSettingsSchema, token: ServersSettings },
  ],
  providers: [
    StagingEventEmitters,
    StagingEvents,
    ServerSecrets,
    ServerInfoProvider,
    SynchronizationInfoProvider,
    StagingTaskLogger,
    { provide: ObjectChangeListener, useExisting: StagingTaskLogger },
    stagingQueueProvider,
    StagingTransport,
    StagingDelivery,
    StagingTaskRunnerFactory,
    StagingRequestVerifier,
    StagingConflictStore,
    ConflictDetection,
    StagingConflicts,
    StagingReceiver,
    receivedTaskRetentionProvider(
      StagingReceivedTaskRetention,
      { table: 'staging_received_task', timeColumn: 'applied_at' },
      StagingSettings,
    ),
    StagingSynchronizer,
    // Served and scraped only on a node that has the HTTP server (ServerModule); nothing here needs it.
    StagingReceiverRoute,
    { provide: HttpRouteContribution, useExisting: StagingReceiverRoute },
    StagingMetrics,
    { provide: MetricsContribution, useExisting: StagingMetrics },
    StagingQueueLag,
    { provide: QueueLagSource, useExisting: StagingQueueLag },
  ],
})
export class StagingModule extends Module {
  constructor(
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(ServersSettings) private readonly configured: ServersSettings,
  ) {
    super('Staging');
  }

  /** Upserts the `servers` section, so even a node booted without `onStart` (admin tools) sees them. */
  override async onInit(): Promise<void> {
    await this.servers.upsertConfigured(this.configured);
  }
}
