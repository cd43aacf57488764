// Workload 4's scale-out variant: a worker process of a PostgreSQL node (role `worker`, the staging auto-sync
// plugin loaded by name) that delivers what a separate web process logs, woken by the commits' notifications.
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
