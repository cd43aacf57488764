// Kentico's `new StagingTaskRunner(serverId).RunSynchronization(taskId)`, kept for seed-style code.
import { currentNode } from '@syncbus/core/internal';
import { type ServiceResolver } from '@syncbus/core';
import { StagingDelivery, type StagingRunOptions, type StagingRunSummary } from './staging-delivery';

/**
 * Synchronizes the pending staging tasks of one target server. Seed-compatible exception to injection: the
 * constructor finds its services through the ambient node (the one whose event handler or module hook is
 * running, or the only node of the process); services should use `StagingTaskRunnerFactory` instead.
 */
export class StagingTaskRunner {
  private readonly delivery: StagingDelivery;

  constructor(
    readonly serverId: number,
    node: ServiceResolver = currentNode(),
  ) {
    this.delivery = node.get(StagingDelivery);
  }

  /**
   * Sends the server's pending tasks (only `taskIds`, when given) in logged order and records each outcome.
   * Throws `UnknownServerError` or `ServerDisabledError` (tasks stay pending); a target that cannot be reached
   * or refuses is reported in the summary's `error` and on the tasks' synchronization rows. `options` can stop
   * the run between batches and follow it batch by batch.
   */
  runSynchronization(
    taskIds?: number | readonly number[],
    options?: StagingRunOptions,
  ): Promise<StagingRunSummary> {
    return this.delivery.run(this.serverId, taskIds, options);
  }
}
