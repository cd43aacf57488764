// @syncbus/core/internal: what syncbus's own packages share (queues, SQL, storage setup, retention, wire helpers).
// Not a public API: names here change without notice; a host or plugin that needs one should open an issue.
export { currentNode, runInNode } from './kernel/node-scope';
export { moduleOptionsOf, MODULE_KIND } from './kernel/register-module';
export { loadPlugin, isPluginPath, type LoadedPlugin } from './kernel/plugin-loader';
export { orderModules } from './kernel/module-graph';
export { listNodeProcesses, type NodeProcess } from './kernel/node-processes';
export {
  registerClass,
  registrationOf,
  registrationCount,
  registeredSince,
  type Registration,
} from './registry/registration';
export { LogThrottle } from './logging/log-throttle';
export { withSecretEnvironment, UnresolvedSecretRef } from './settings/secret';
export { ENV_OVERRIDES } from './settings/core-settings';
export { roleDelivers, roleReceives } from './settings/process-role';
export { applyEnvOverrides, parseSettings, type ParsedSettings } from './settings/parse-settings';
export { readConfigFile } from './settings/config-file';
export { parseDatabaseUrl, type DatabaseTarget } from './storage/database-url';
export { createDataSource, type DataSourceContributions } from './storage/create-data-source';
export { WriteGate } from './storage/write-gate';
export { type CheckpointResult, SqliteCheckpointer } from './storage/sqlite-checkpointer';
export { escapeLike } from './util/escape-like';
export { bearerToken, sameSecret } from './util/bearer-token';
export { withSqlTransaction, withSqlRead, sqlExecutorFor, type SqlExecutor } from './storage/sql-executor';
export {
  type SynchronizationTable,
  type ClaimedSynchronization,
  type SynchronizationPostponement,
  type SynchronizationOutcomes,
  type SynchronizationFailure,
  type SynchronizationStatus,
  type ClaimOptions,
  type ClaimedBatch,
  type SettledBatch,
  type QueueNextDue,
  LeaseQueue,
} from './queue/lease-queue';
export {
  generatedIdColumn,
  synchronizationColumns,
  synchronizationIndices,
} from './queue/synchronization-columns';
export { type DrainPass, type DrainLoopOptions, DrainLoop } from './queue/drain-loop';
export {
  QueueWorker,
  type QueueWorkerOptions,
  type WorkerPass,
  type WorkerPassOptions,
} from './queue/queue-worker';
export { QueueBatch, type TargetDown } from './queue/queue-batch';
export { TargetOutages } from './queue/target-outages';
export {
  type QueueWakeup,
  type QueueWakeupOptions,
  WAKEUP_DEFAULTS,
  PROCESS_APPLICATION_NAME,
  QueueWakeups,
} from './queue/queue-wakeups';
export { newLeaseOwner, thisProcess, leaseOwnerProcess, sumByProcess } from './queue/lease-owner';
export { queueWakeupTriggers, type QueueWakeupTable } from './queue/queue-wakeup-trigger';
export { queueBatchFunctions, runQueueBatch, type QueueStatement } from './queue/queue-batch-function';
export { type LedgerRetentionOptions, LedgerRetention } from './retention/ledger-retention';
export {
  receivedTaskRetentionProvider,
  ReceivedTaskRetentionSchema,
  type ReceivedTaskRetentionSettings,
} from './retention/received-task-retention';
export { syncObjectOptionsOf } from './objects/sync-object';
export { ObjectSerializer } from './objects/object-serializer';
export {
  type ApplyDecision,
  type ApplyGuard,
  type ObjectApplication,
  ObjectApplier,
} from './objects/object-applier';
export { canonicalData, canonicalJson } from './objects/canonical-data';
export { epochMs } from './storage/epoch-ms.transformer';
export { SynchronizationRow } from './queue/synchronization-row';
