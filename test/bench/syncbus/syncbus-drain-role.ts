// The syncbus contender of workloads 3, 5 and 6: a real source node drains its backlog to the target with the
// public runner (`StagingTaskRunnerFactory.create(serverId).runSynchronization()`), claiming through LeaseQueue.
import { Kernel, Storage, withSqlTransaction } from '@syncbus/core';
import { StagingDelivery, StagingTaskRunnerFactory } from '@syncbus/staging';
import type { ChildRole } from '../harness/child-channel';
import { sourceNodeOptions } from './syncbus-node-options';

/** Config of the drain role. */
export interface SyncbusDrainConfig {
  readonly databaseUrl: string;
  readonly targetUrl: string;
  readonly secretEnv: string;
  readonly batchSize: number;
  /** Stop after this long (the scale workload measures a window of a large backlog); default: drain it all. */
  readonly windowMs?: number;
}

export const syncbusDrainRole: ChildRole = async (config: SyncbusDrainConfig, channel) => {
  const kernel = await Kernel.boot(
    sourceNodeOptions({
      databaseUrl: config.databaseUrl,
      targetUrls: [config.targetUrl],
      secretEnv: config.secretEnv,
      batchSize: config.batchSize,
    }),
  );
  try {
    const serverId = await withSqlTransaction(kernel.get(Storage), async (sql) => {
      const [row] = await sql.all<{ id: unknown }>("SELECT id FROM staging_server WHERE name = 'target'");
      return Number(row.id);
    });
    const runner = kernel.get(StagingTaskRunnerFactory).create(serverId);
    channel.ready();
    await channel.nextGo();
    const started = performance.now();
    // Stopping delivery ends the run after the batch in flight, exactly as a node shutting down would.
    const window = config.windowMs
      ? setTimeout(() => void kernel.get(StagingDelivery).stop(), config.windowMs)
      : undefined;
    const summary = await runner.runSynchronization();
    const ms = performance.now() - started;
    clearTimeout(window);
    if (summary.error || summary.failed > 0) {
      throw new Error(
        `the syncbus drain stopped: ${summary.failed} failed, ${summary.error ?? 'no error text'}`,
      );
    }
    return { delivered: summary.applied + summary.duplicates, ms, left: 0 };
  } finally {
    await kernel.stop();
  }
};
