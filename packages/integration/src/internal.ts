// @syncbus/integration/internal: what syncbus's own packages (admin, CLI, auto-sync) share with the integration bus.
// Not a public API: names here change without notice.
export { connectorOptionsOf, CONNECTOR_KIND } from './connectors/integration-connector.decorator';
export { selectSubscription, type SelectedSubscription } from './connectors/connector-subscription';
export { readOutcome } from './processing/integration-process-result';
export { ConnectorTimeoutError } from './processing/connector-call';
export { IncomingTasksBodySchema } from './incoming/incoming-task-service';
export { IntegrationReceivedTaskRetention } from './incoming/integration-received-task-retention';
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
export {
  IntegrationSettingsSchema,
  ConnectorEntrySchema,
  ConnectorsSettingsSchema,
} from './integration-settings';
export {
  ConnectorParams,
  ConnectorView,
  ConnectorCheck,
  IntegrationTaskFilterSchema,
  IntegrationTaskQuery,
  IntegrationTaskRow,
  IntegrationTaskPage,
  IntegrationTaskSelection,
  SyncLogQuery,
  SyncLogEntryView,
} from './admin/integration-admin-schemas';
export { INCOMING_TASKS_BODY_LIMIT, IncomingTasksRoute } from './incoming/incoming-tasks-route';
export { IntegrationMetrics } from './integration-metrics';
