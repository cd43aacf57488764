// The syncbus contender of workloads 3, 5 and 6: a real source node drains its backlog to its targets with the
// public runner (`StagingTaskRunnerFactory.create(serverId).runSynchronization()`), claiming through LeaseQueue.
import { Kernel } from '@syncbus/core';
import { StagingDelivery } from '@syncbus/staging/internal';
import { StagingTaskRunnerFactory } from '@syncbus/staging';
import type { ChildRole } from '../harness/child-channel';
import { benchServerIds, sourceNodeOptions } from './syncbus-node-options';

/** Config of the drain role. */
export interface SyncbusDrainConfig {
  readonly databaseUrl: string;
  /** One server per target; all of them are drained at once, as a worker's loops would. */
  readonly targetUrls: readonly string[];
  readonly secretEnv: string;
  readonly batchSize: number;
  /** Stop after this long (the scale workload measures a window of a large backlog); default: drain it all. */
  readonly windowMs?: number;
}

export const syncbusDrainRole: ChildRole = async (config: SyncbusDrainConfig, channel) => {
  const kernel = await Kernel.boot(
    sourceNodeOptions({
      databaseUrl: config.databaseUrl,
      targetUrls: config.targetUrls,
      secretEnv: config.secretEnv,
      batchSize: config.batchSize,
    }),
  );
  try {
    const factory = kernel.get(StagingTaskRunnerFactory);
    const runners = (await benchServerIds(kernel)).map((id) => factory.create(id));
    channel.ready();
    await channel.nextGo();
    const started = performance.now();
    const cpu = process.cpuUsage();
    // Stopping delivery ends the run after the batch in flight, exactly as a node shutting down would.
    const window = config.windowMs
      ? setTimeout(() => void kernel.get(StagingDelivery).stop(), config.windowMs)
      : undefined;
    const summaries = await Promise.all(runners.map((runner) => runner.runSynchronization()));
    const ms = performance.now() - started;
    const used = process.cpuUsage(cpu);
    clearTimeout(window);
    for (const summary of summaries) {
      if (summary.error || summary.failed > 0) {
        throw new Error(
          `the syncbus drain to ${summary.server} stopped: ${summary.failed} failed, ` +
            (summary.error ?? 'no error text'),
        );
      }
    }
    const delivered = summaries.reduce((sum, s) => sum + s.applied + s.duplicates, 0);
    return { delivered, ms, left: 0, cpuMs: (used.user + used.system) / 1000 };
  } finally {
    await kernel.stop();
  }
};
