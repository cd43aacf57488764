// Public API of @syncbus/staging, for hosts: the module, its settings, services, events, errors, the entities its
// services return, and the wire format's names.
export type { ConflictQuery } from './conflicts/staging-conflict-store';
export { StagingModule } from './staging-module';
export {
  type ConflictPolicy,
  type StagingConflictSettings,
  StagingSettings,
  ServersSettings,
} from './staging-settings';
export {
  UnknownServerError,
  ServerDisabledError,
  ServerPausedError,
  DuplicateServerError,
  SecretUnavailableError,
  StagingValidationError,
  StagingTransportError,
  StagingRequestRejectedError,
  UnknownConflictError,
  ConflictResolvedError,
} from './staging-errors';
export {
  type StagingTaskEventArgs,
  type StagingProcessTaskEventArgs,
  type StagingSynchronizedArgs,
  type ConflictResolution,
  type StagingConflictEventArgs,
  StagingEvents,
} from './staging-events';
export type { StagingTaskData } from './staging-task-data';
export { StagingServer } from './entities/staging-server.entity';
export { StagingTask } from './entities/staging-task.entity';
export { StagingSynchronization } from './entities/staging-synchronization.entity';
export { type ConflictKind, type ConflictOutcome, StagingConflict } from './entities/staging-conflict.entity';
export { type ServerInput, type ServerChanges, ServerInfoProvider } from './server-info-provider';
export { type SynchronizationFilter, SynchronizationInfoProvider } from './synchronization-info-provider';
export type { StagingTaskFilter, StagingTaskListing } from './staging-task-listing';
export { type LogTaskOptions, StagingTaskLogger } from './staging-task-logger';
export { runInTaskGroup, currentTaskGroups } from './task-group-scope';
export {
  STAGING_PROTOCOL_VERSION,
  OLDEST_STAGING_PROTOCOL_VERSION,
  PROTOCOL_HEADER,
  STAGING_TASKS_PATH,
  TIMESTAMP_HEADER,
  SIGNATURE_HEADER,
  type StagingRequest,
  type StagingTaskResult,
  type StagingReply,
} from './staging-protocol';
export type { StagingRunOptions, StagingRunSummary } from './staging-delivery';
export { StagingTaskRunner } from './staging-task-runner';
export { StagingTaskRunnerFactory } from './staging-task-runner-factory';
export { type ConflictTake, StagingConflicts } from './conflicts/staging-conflicts';
export { type CompleteSynchronizationSummary, StagingSynchronizer } from './staging-synchronizer';
