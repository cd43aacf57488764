// A worker process of a PostgreSQL node (role `worker`, the staging auto-sync plugin loaded by name): delivers what
// a separate web process logs, woken by the commits' notifications (workload 4), or what a killed worker leased,
// once its leases run out (workload 6's takeover).
import { Kernel } from '@syncbus/core';
import type { ChildRole } from '../harness/child-channel';
import { autosyncNodeOptions } from './syncbus-autosync-source-role';

/** Config of the auto-sync worker role. */
export interface SyncbusAutosyncWorkerConfig {
  readonly databaseUrl: string;
  readonly targetUrl: string;
  readonly secretEnv: string;
  /** The repository root, where the plugin package is installed. */
  readonly baseDir: string;
  /** The worker's poll, set far above the measured latencies: only a wake-up delivers in time. */
  readonly pollIntervalMs: number;
  /** `staging.leaseMs` (the takeover measurement sets it short); staging's default when absent. */
  readonly leaseMs?: number;
}

export const syncbusAutosyncWorkerRole: ChildRole = async (config: SyncbusAutosyncWorkerConfig, channel) => {
  const kernel = await Kernel.boot(
    autosyncNodeOptions(config, 'worker', { pollIntervalMs: config.pollIntervalMs }),
  );
  try {
    channel.ready();
    await channel.stopped;
    return {};
  } finally {
    await kernel.stop();
  }
};
