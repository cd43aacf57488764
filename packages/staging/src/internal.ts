// @syncbus/staging/internal: what syncbus's own packages (admin, CLI, auto-sync) share with staging. Not a public
// API: names here change without notice.
export {
  StagingSourceSchema,
  ConflictPolicySchema,
  StagingConflictSettingsSchema,
  StagingReceiverSettingsSchema,
  StagingSettingsSchema,
  ServerConfigSchema,
  ServersSettingsSchema,
} from './staging-settings';
export { StagingReceivedTask } from './entities/staging-received-task.entity';
export { StagingObjectBase } from './entities/staging-object-base.entity';
export { CreateStagingTables1700000000100 } from './migrations/create-staging-tables.migration';
export { ScaleStagingQueue1750000000100 } from './migrations/scale-staging-queue.migration';
export { AddServerPaused1760000000100 } from './migrations/add-server-paused.migration';
export { AddStagingConflicts1780000000100 } from './migrations/add-staging-conflicts.migration';
export { AddStagingQueueBatch1790000000100 } from './migrations/add-staging-queue-batch.migration';
export { ServerInputSchema } from './server-info-provider';
export { ServerSecrets } from './server-secrets';
export { STAGING_SYNCHRONIZATION_TABLE, StagingQueue, stagingQueueProvider } from './staging-queue';
export {
  StagingWireTaskSchema,
  StagingRequestSchema,
  StagingTaskResultSchema,
  StagingReplySchema,
  isSpokenProtocol,
  resultsForProtocol,
} from './staging-protocol';
export { StagingTransport } from './staging-transport';
export { StagingDelivery } from './staging-delivery';
export { type IncomingStagingRequest, StagingRequestVerifier } from './staging-request-verifier';
export { APPLY_FAILED, StagingReceiver } from './staging-receiver';
export {
  conflictVersions,
  conflictFields,
  isResolvable,
  isMergeable,
  type ConflictVersion,
  type ConflictField,
} from './conflicts/conflict-fields';
export { StagingReceivedTaskRetention } from './staging-received-task-retention';
export { StagingReceiverRoute } from './staging-receiver-route';
export { StagingMetrics } from './staging-metrics';
export { StagingQueueLag } from './staging-queue-lag';
