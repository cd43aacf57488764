// Every role a benchmark child process can play, loaded on demand so a child imports only what it runs.
import type { ChildRole } from './harness/child-channel';

/** Role name -> loader. */
export const ROLES: Record<string, () => Promise<ChildRole>> = {
  'raw-receiver': async () => (await import('./peers/raw-receiver')).rawReceiverRole,
  'raw-drain-floor': async () => (await import('./peers/raw-drain-floor')).rawDrainFloorRole,
  'naive-drain': async () => (await import('./peers/naive-drain')).naiveDrainRole,
  'bullmq-drain': async () => (await import('./peers/bullmq-drain')).bullmqDrainRole,
  'bullmq-latency': async () => (await import('./peers/bullmq-latency')).bullmqLatencyRole,
  'logging-floor': async () => (await import('./floors/logging-floor')).loggingFloorRole,
  'postgres-logging-floor': async () =>
    (await import('./floors/postgres-logging-floor')).postgresLoggingFloorRole,
  'syncbus-target': async () => (await import('./syncbus/syncbus-target-role')).syncbusTargetRole,
  'syncbus-logging': async () => (await import('./syncbus/syncbus-logging-role')).syncbusLoggingRole,
  'syncbus-fill': async () => (await import('./syncbus/syncbus-fill-role')).syncbusFillRole,
  'syncbus-autosync-source': async () =>
    (await import('./syncbus/syncbus-autosync-source-role')).syncbusAutosyncSourceRole,
  'syncbus-autosync-worker': async () =>
    (await import('./syncbus/syncbus-autosync-worker-role')).syncbusAutosyncWorkerRole,
  'syncbus-admin-paging': async () =>
    (await import('./syncbus/syncbus-admin-paging-role')).syncbusAdminPagingRole,
  'syncbus-drain': async () => (await import('./syncbus/syncbus-drain-role')).syncbusDrainRole,
  'syncbus-integration-fill': async () =>
    (await import('./syncbus/syncbus-integration-fill-role')).syncbusIntegrationFillRole,
  'syncbus-integration-drain': async () =>
    (await import('./syncbus/syncbus-integration-drain-role')).syncbusIntegrationDrainRole,
};
