// Public API of @syncbus/integration, for hosts: the module, its services, events, settings and errors. Connector
// authors import @syncbus/integration/sdk instead.
export { IntegrationModule } from './integration-module';
export { IntegrationEvents } from './integration-events';
export type { IntegrationTask, IntegrationTaskEventArgs } from './tasks/integration-task';
/** The connectors' base class, as a host's services hand connectors out (`IntegrationConnectorInfoProvider`). */
export { BaseIntegrationConnector } from './connectors/base-integration-connector';
export {
  IntegrationProcessResult,
  type ProcessingOutcome,
  type ProcessingVerdict,
} from './processing/integration-process-result';
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
  type IncomingCredentials,
  type IncomingTasksReceipt,
} from './incoming/incoming-task-service';
export { IncomingTaskError } from './incoming/incoming-task-error';
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
export { IntegrationTaskProcessor } from './processing/integration-task-processor';
export type { TaskDirection } from './tasks/integration-task-store';
export { IntegrationSettings, type ConnectorEntry, ConnectorsSettings } from './integration-settings';
export {
  ConnectorNotFoundError,
  ConnectorConfigError,
  SynchronousProcessingError,
  IntegrationDisabledError,
  InvalidIncomingTaskError,
} from './integration-errors';
export { INCOMING_TASKS_PATH } from './incoming/incoming-tasks-route';
