// Public API of @syncbus/integration: the connector SDK, the integration bus module, its services and events.
export { IntegrationModule } from './integration-module';
export * from './integration-settings';
export * from './integration-errors';
export { IntegrationEvents } from './integration-events';
export type { IntegrationTask, IntegrationTaskEventArgs } from './tasks/integration-task';
export {
  BaseIntegrationConnector,
  type IncomingTaskContext,
  type IncomingRequest,
} from './connectors/base-integration-connector';
export type { ExternalTaskMessage } from './connectors/external-task-message';
export {
  IntegrationConnector,
  connectorOptionsOf,
  CONNECTOR_KIND,
  type IntegrationConnectorOptions,
} from './connectors/integration-connector.decorator';
export {
  ALL,
  selectSubscription,
  type ConnectorSubscription,
  type IntegrationDataType,
  type IntegrationProcessType,
  type SelectedSubscription,
} from './connectors/connector-subscription';
export { isObjectReference, mapReferences } from './connectors/reference-translation';
export {
  IntegrationProcessResult,
  readOutcome,
  type ProcessingOutcome,
  type ProcessingVerdict,
} from './processing/integration-process-result';
export { ConnectorTimeoutError } from './processing/connector-call';
export { IntegrationConnectorRegistry } from './connectors/integration-connector-registry';
export type { LoadedConnector, ConnectorProblem } from './connectors/loaded-connector';
export {
  IntegrationConnectorInfoProvider,
  type IntegrationConnectorInfo,
} from './integration-connector-info-provider';
export { IntegrationHelper, type ExternalTaskOptions } from './integration-helper';
export type { ExternalTaskInput, LoggedExternalTask } from './incoming/incoming-task-log';
export { DuplicateExternalTaskError } from './incoming/duplicate-external-task.error';
export {
  IncomingTaskService,
  IncomingTasksBodySchema,
  type IncomingCredentials,
  type IncomingTasksReceipt,
} from './incoming/incoming-task-service';
export { IncomingTaskError } from './incoming/incoming-task-error';
export { IntegrationReceivedTaskRetention } from './incoming/integration-received-task-retention';
export { IntegrationSyncLog, type IntegrationSyncLogEntry } from './processing/integration-sync-log';
export {
  IntegrationSynchronizations,
  type IntegrationSynchronizationInfo,
  type IntegrationTaskFilter,
  type IntegrationTaskListing,
  type IntegrationQueueStats,
} from './processing/integration-synchronizations';
export {
  ConnectorOverview,
  type ConnectorState,
  type ConnectorCheckResult,
} from './connectors/connector-overview';
export * from './admin/integration-admin-schemas';
export { IntegrationTaskProcessor } from './processing/integration-task-processor';
export type { TaskDirection } from './tasks/integration-task-store';
export { IntegrationConnectorEntity } from './storage/integration-connector.entity';
export { IntegrationTaskEntity } from './storage/integration-task.entity';
export {
  IntegrationSynchronizationEntity,
  IntegrationExternalSynchronizationEntity,
} from './storage/integration-synchronization.entity';
export { IntegrationSyncLogEntity } from './storage/integration-sync-log.entity';
export { IntegrationReceivedTaskEntity } from './storage/integration-received-task.entity';
export { CreateIntegrationTables1730000000400 } from './storage/create-integration-tables.migration';
export { CreateIntegrationReceivedTasks1730000000410 } from './storage/create-integration-received-tasks.migration';
export { AddConnectorState1760000000400 } from './storage/add-connector-state.migration';
export * from './incoming/incoming-tasks-route';
export * from './integration-metrics';
