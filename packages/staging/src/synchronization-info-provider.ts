// Staging's one read model of its queue (Kentico's SynchronizationInfoProvider): the synchronization rows, one per
// task and server still waiting for it, as the seed reads them, and as people see and change them (CLI, admin API):
// pending and failed tasks per server, totals, retry and delete. The SQL is in staging-task-listing.ts and
// staging-queue-totals.ts; the changes go through StagingQueue.
import { type AlsoInTransaction, inject, injectable, Storage } from '@syncbus/core';
import { StagingServer } from './entities/staging-server.entity';
import { StagingSynchronization } from './entities/staging-synchronization.entity';
import { StagingTask } from './entities/staging-task.entity';
import { UnknownServerError } from './staging-errors';
import { StagingQueue } from './staging-queue';
import { stagingQueueStats, stagingQueueTotals } from './staging-queue-totals';
import { listStagingTasks, type StagingTaskFilter, type StagingTaskListing } from './staging-task-listing';

/** Filter of `getSynchronizations`. */
export interface SynchronizationFilter {
  readonly taskId?: number;
  readonly serverId?: number;
  readonly status?: 'pending' | 'failed';
}

/** Reads staging synchronization rows (one per task and target server that still waits for it); retries and deletes them. */
@injectable()
export class SynchronizationInfoProvider {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingQueue) private readonly queue: StagingQueue,
  ) {}

  /** Synchronization rows matching `filter`, in task order. */
  getSynchronizations(filter: SynchronizationFilter = {}): Promise<StagingSynchronization[]> {
    const where: Record<string, unknown> = {};
    if (filter.taskId !== undefined) where.taskId = filter.taskId;
    if (filter.serverId !== undefined) where.serverId = filter.serverId;
    if (filter.status !== undefined) where.status = filter.status;
    return this.storage.dataSource
      .getRepository(StagingSynchronization)
      .find({ where, order: { taskId: 'ASC', id: 'ASC' } });
  }

  /** Ids of the servers `taskId` is still pending (or failed) for. */
  async getServerIdsForTask(taskId: number): Promise<number[]> {
    return (await this.getSynchronizations({ taskId })).map((s) => s.serverId);
  }

  /**
   * Tasks still waiting for a server (pending or failed) with what each task says about its object, in logged order
   * (task id, then row id); a page reads about `limit` index entries however long the queue is, except for the
   * filters without an index (docs/admin-api.md, Scale).
   */
  async list(filter: StagingTaskFilter = {}): Promise<StagingTaskListing[]> {
    const serverId = filter.server === undefined ? undefined : await this.serverId(filter.server);
    return listStagingTasks(this.storage, filter, serverId);
  }

  /** A task with its data, or undefined when it no longer waits for any server. */
  async show(
    taskId: number,
  ): Promise<{ task: StagingTask; synchronizations: StagingTaskListing[] } | undefined> {
    const task = await this.storage.dataSource.getRepository(StagingTask).findOneBy({ id: taskId });
    if (!task) return undefined;
    return { task, synchronizations: await this.list({ taskIds: [taskId] }) };
  }

  /**
   * Per server id: rows pending and failed, and when the oldest pending task was logged (epoch ms), for every
   * server that has any. Costs O(servers), not O(rows): the totals are kept by triggers in `staging_queue_count`.
   */
  stats(): Promise<Map<number, { pending: number; failed: number; oldestPendingAt: number | null }>> {
    return stagingQueueStats(this.storage);
  }

  /** How many tasks wait for a server (by name), by status. */
  async count(server: string): Promise<{ pending: number; failed: number }> {
    const serverId = await this.serverId(server);
    return (await stagingQueueTotals(this.storage, serverId)).get(serverId) ?? { pending: 0, failed: 0 };
  }

  /**
   * Makes the tasks' rows (optionally only for one server) due now with fresh attempts; returns how many.
   * `alsoInTransaction` (an audit row) commits with the change.
   */
  async retry(
    taskIds: readonly number[],
    server?: string,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<number> {
    return this.queue.retry(await this.synchronizationIds(taskIds, server), alsoInTransaction);
  }

  /**
   * Deletes the tasks' rows (optionally only for one server) and tasks no server waits for; returns rows removed.
   * `alsoInTransaction` (an audit row) commits with the change.
   */
  async delete(
    taskIds: readonly number[],
    server?: string,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<number> {
    return this.queue.remove(await this.synchronizationIds(taskIds, server), alsoInTransaction);
  }

  /**
   * Makes every row matching `filter` due now with fresh attempts (Kentico's "Synchronize all" without sending);
   * returns how many. The rows are read in keyset pages, then changed in one transaction with `alsoInTransaction`.
   */
  async retryMatching(filter: StagingTaskFilter, alsoInTransaction?: AlsoInTransaction): Promise<number> {
    return this.queue.retry(await this.matchingIds(filter), alsoInTransaction);
  }

  /** Deletes every row matching `filter` (Kentico's "Delete all"), and tasks no server waits for any more. */
  async deleteMatching(filter: StagingTaskFilter, alsoInTransaction?: AlsoInTransaction): Promise<number> {
    return this.queue.remove(await this.matchingIds(filter), alsoInTransaction);
  }

  /** Synchronization ids of every row matching `filter`, read in pages (no OFFSET, no limit on the total). */
  private async matchingIds(filter: StagingTaskFilter): Promise<number[]> {
    const ids: number[] = [];
    for (let after = filter.after; ;) {
      const page = await this.list({ ...filter, after, limit: 10_000 });
      ids.push(...page.map((r) => r.synchronizationId));
      if (page.length < 10_000) return ids;
      after = page[page.length - 1];
    }
  }

  private async synchronizationIds(taskIds: readonly number[], server?: string): Promise<number[]> {
    return (await this.list({ taskIds, server, limit: 100_000 })).map((r) => r.synchronizationId);
  }

  private async serverId(name: string): Promise<number> {
    const server = await this.storage.dataSource.getRepository(StagingServer).findOneBy({ name });
    if (!server) throw new UnknownServerError(name);
    return server.id;
  }
}
