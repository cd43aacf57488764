// Delivers a server's pending staging tasks now, with a progress bar of what is left: `tasks sync`, `servers sync-all`.
import type { Kernel } from '@syncbus/core';
import { StagingTaskRunnerFactory, SynchronizationInfoProvider, type StagingServer } from '@syncbus/staging';
import type { CliContext } from '../cli-context';
import { createProgress } from '../output/progress';

/** What one server's delivery did, and what still waits for it. */
export interface ServerDelivery {
  readonly server: string;
  readonly sent: number;
  readonly applied: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly error?: string;
  /** Tasks still pending for the server (of `taskIds`, when given). */
  readonly remaining: number;
  readonly failedTotal: number;
}

/** Runs one synchronization of `server` (only `taskIds`, when given), updating the bar from the queue's counts. */
export async function deliverWithProgress(
  kernel: Kernel,
  server: StagingServer,
  context: CliContext,
  taskIds?: readonly number[],
): Promise<ServerDelivery> {
  const synchronizations = kernel.get(SynchronizationInfoProvider);
  const pending = async () =>
    taskIds
      ? (await synchronizations.list({ server: server.name, status: 'pending', taskIds })).length
      : (await synchronizations.count(server.name)).pending;
  const failed = async () => (await synchronizations.count(server.name)).failed;
  const before = await pending();
  const progress = createProgress(`sync ${server.name}`, before, context.streams.stderr);
  const poll = setInterval(() => {
    void Promise.all([pending(), failed()]).then(([now, failedNow]) =>
      progress.update(Math.max(0, before - now), { failed: failedNow }),
    );
  }, 200);
  try {
    // A person asked: what waits out a backoff goes now too (failed tasks need `tasks retry`).
    const summary = await kernel
      .get(StagingTaskRunnerFactory)
      .create(server.id)
      .runSynchronization(taskIds, { dueNow: true });
    const [remaining, failedTotal] = await Promise.all([pending(), failed()]);
    progress.update(Math.max(0, before - remaining), { failed: failedTotal });
    return { ...summary, remaining, failedTotal };
  } finally {
    clearInterval(poll);
    progress.stop();
  }
}
