// What people see of the staging queue (CLI, admin API): pending and failed tasks per server, retry and delete.
import { escapeLike } from '@syncbus/core/internal';
import { type AlsoInTransaction, inject, injectable, Storage } from '@syncbus/core';
import type { SelectQueryBuilder } from 'typeorm';
import { StagingServer } from './entities/staging-server.entity';
import { StagingSynchronization } from './entities/staging-synchronization.entity';
import { StagingTask } from './entities/staging-task.entity';
import { UnknownServerError } from './staging-errors';
import { StagingQueue } from './staging-queue';

/** Filter of `list`: every field narrows. */
export interface StagingTaskFilter {
  /** Server name. */
  readonly server?: string;
  readonly objectType?: string;
  /** Only tasks of this object (its identity), e.g. to find an object's earlier task. */
  readonly objectGuid?: string;
  readonly taskType?: string;
  readonly status?: 'pending' | 'failed';
  /** Only tasks whose title contains this text, ignoring case. */
  readonly title?: string;
  /** Only tasks logged at or after / before this time (epoch ms). */
  readonly loggedFrom?: number;
  readonly loggedBefore?: number;
  /** Keyset paging: only rows after this one in logged order (the last row of the previous page). */
  readonly after?: { readonly taskId: number; readonly synchronizationId: number };
  /** Task ids. */
  readonly taskIds?: readonly number[];
  /** Only tasks of this task group (`runInTaskGroup`), as Kentico's Staging application filters by group. */
  readonly group?: string;
  /** Only tasks this user made (one of the task's users). */
  readonly user?: string;
  /** At most this many rows (default 1000). */
  readonly limit?: number;
}

/** One task waiting for one server. */
export interface StagingTaskListing {
  readonly taskId: number;
  readonly synchronizationId: number;
  readonly server: string;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly title: string;
  readonly createdAt: number;
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  readonly lastError: string | null;
}

/** Lists, retries and deletes staging tasks per server. */
@injectable()
export class StagingTaskList {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingQueue) private readonly queue: StagingQueue,
  ) {}

  /**
   * Tasks still waiting for a server (pending or failed), in logged order (task id, then row id). Each filter has an
   * index in that order (migration `ScaleStagingQueue`), so a page reads about `limit` index entries however long
   * the queue is: a filter on the task (object type) reads the task's index and orders by `t.id`, any
   * other by the row's (server, status, or none) and orders by `s.task_id`. Filters without an index (title, user,
   * group, task type, logged time) read in that order and stop once the page is full: cheap for a common value, a scan of the
   * queue for a value no row has (docs/admin-api.md, Scale).
   */
  async list(filter: StagingTaskFilter = {}): Promise<StagingTaskListing[]> {
    const byTask =
      filter.objectType !== undefined || filter.taskType !== undefined || filter.objectGuid !== undefined;
    const order = byTask ? 't.id' : 's.task_id';
    const query = this.storage.dataSource
      .createQueryBuilder(StagingSynchronization, 's')
      .innerJoin(StagingTask, 't', 't.id = s.task_id')
      .innerJoin(StagingServer, 'v', 'v.id = s.server_id')
      .select([
        't.id AS "taskId"',
        's.id AS "synchronizationId"',
        'v.name AS "server"',
        't.task_type AS "taskType"',
        't.object_type AS "objectType"',
        't.object_guid AS "objectGuid"',
        't.title AS "title"',
        't.created_at AS "createdAt"',
        's.status AS "status"',
        's.attempts AS "attempts"',
        's.next_attempt_at AS "nextAttemptAt"',
        's.last_error AS "lastError"',
      ])
      .orderBy(order, 'ASC')
      .addOrderBy('s.id', 'ASC')
      .limit(filter.limit ?? 1000);
    if (filter.server !== undefined) {
      query.andWhere('s.server_id = :serverId', { serverId: await this.serverId(filter.server) });
    }
    if (filter.objectType !== undefined)
      query.andWhere('t.object_type = :objectType', { objectType: filter.objectType });
    if (filter.objectGuid !== undefined)
      query.andWhere('t.object_guid = :objectGuid', { objectGuid: filter.objectGuid });
    if (filter.taskType !== undefined)
      query.andWhere('t.task_type = :taskType', { taskType: filter.taskType });
    if (filter.status !== undefined) query.andWhere('s.status = :status', { status: filter.status });
    if (filter.title !== undefined)
      query.andWhere(`LOWER(t.title) LIKE :title ESCAPE '\\'`, {
        title: `%${escapeLike(filter.title.toLowerCase())}%`,
      });
    if (filter.loggedFrom !== undefined)
      query.andWhere('t.created_at >= :loggedFrom', { loggedFrom: filter.loggedFrom });
    if (filter.loggedBefore !== undefined)
      query.andWhere('t.created_at < :loggedBefore', { loggedBefore: filter.loggedBefore });
    if (filter.after !== undefined) {
      // The first terms bound the index ranges of both tables (PostgreSQL merges them); the OR alone bounds none.
      query.andWhere(
        `s.task_id >= :afterTask AND t.id >= :afterTask AND (${order} > :afterTask OR s.id > :afterRow)`,
        {
          afterTask: filter.after.taskId,
          afterRow: filter.after.synchronizationId,
        },
      );
    }
    // users and groups are JSON arrays of strings: match the element's JSON text, wildcards escaped.
    if (filter.group !== undefined)
      query.andWhere(`t."groups" LIKE :group ESCAPE '\\'`, { group: jsonElementPattern(filter.group) });
    if (filter.user !== undefined)
      query.andWhere(`t.users LIKE :user ESCAPE '\\'`, { user: jsonElementPattern(filter.user) });
    if (filter.taskIds !== undefined)
      query.andWhere(`${order} IN (:...taskIds)`, { taskIds: [...filter.taskIds, -1] });
    const unindexed = [
      filter.title,
      filter.user,
      filter.group,
      filter.taskType,
      filter.loggedFrom,
      filter.loggedBefore,
    ].some((f) => f !== undefined);
    const rows = await this.readInLoggedOrder(query, unindexed && filter.taskIds === undefined);
    return rows.map((r) => ({
      taskId: Number(r.taskId),
      synchronizationId: Number(r.synchronizationId),
      server: String(r.server),
      taskType: String(r.taskType),
      objectType: String(r.objectType),
      objectGuid: String(r.objectGuid),
      title: String(r.title),
      createdAt: Number(r.createdAt),
      status: String(r.status),
      attempts: Number(r.attempts),
      nextAttemptAt: Number(r.nextAttemptAt),
      lastError: (r.lastError as string | null) ?? null,
    }));
  }

  /**
   * Runs a page query. PostgreSQL underestimates how many rows a text filter (`LIKE '%x%'`) matches and would
   * rather read every match and sort it; with sorting off for the one query it reads in logged order and stops at
   * the page, as SQLite does (measured: 47 ms to 1.5 ms on 100,000 tasks for a common title).
   */
  private async readInLoggedOrder(
    query: SelectQueryBuilder<StagingSynchronization>,
    scan: boolean,
  ): Promise<Record<string, unknown>[]> {
    if (this.storage.kind !== 'postgres' || !scan) return query.getRawMany<Record<string, unknown>>();
    const runner = this.storage.dataSource.createQueryRunner();
    try {
      await runner.startTransaction();
      await runner.query(`SELECT set_config('enable_sort', 'off', true)`);
      const rows = await query.setQueryRunner(runner).getRawMany<Record<string, unknown>>();
      await runner.commitTransaction();
      return rows;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      throw error;
    } finally {
      await runner.release();
    }
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
   * server that has any. Costs O(servers), not O(rows): the totals are kept by triggers in `staging_queue_count`
   * (changed in the transaction that changes the rows, so they never drift), and the oldest pending task is the
   * first in logged order, one index seek per server (`created_at` of the lowest pending task id).
   */
  async stats(): Promise<Map<number, { pending: number; failed: number; oldestPendingAt: number | null }>> {
    const totals = await this.totals();
    const oldest = await this.storage.dataSource
      .createQueryBuilder()
      .select('v.id', 'serverId')
      .addSelect(
        `(SELECT t.created_at FROM staging_task t WHERE t.id = (SELECT MIN(s.task_id) FROM staging_synchronization s
           WHERE s.server_id = v.id AND s.status = 'pending'))`,
        'oldest',
      )
      .from(StagingServer, 'v')
      .getRawMany<{ serverId: unknown; oldest: unknown }>();
    const stats = new Map<number, { pending: number; failed: number; oldestPendingAt: number | null }>();
    for (const r of oldest) {
      const counts = totals.get(Number(r.serverId));
      if (!counts || counts.pending + counts.failed === 0) continue;
      stats.set(Number(r.serverId), {
        ...counts,
        oldestPendingAt: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest),
      });
    }
    return stats;
  }

  /** How many tasks wait for a server (by name), by status. */
  async count(server: string): Promise<{ pending: number; failed: number }> {
    const serverId = await this.serverId(server);
    return (await this.totals(serverId)).get(serverId) ?? { pending: 0, failed: 0 };
  }

  /** Rows per server id and status, summed over the counter's shards (one per PostgreSQL connection). */
  private async totals(serverId?: number): Promise<Map<number, { pending: number; failed: number }>> {
    const query = this.storage.dataSource
      .createQueryBuilder()
      .select('c.server_id', 'serverId')
      .addSelect('c.status', 'status')
      .addSelect('SUM(c.row_count)', 'rows')
      .addSelect('COUNT(*)', 'shards')
      .from('staging_queue_count', 'c')
      .groupBy('c.server_id')
      .addGroupBy('c.status');
    if (serverId !== undefined) query.where('c.server_id = :serverId', { serverId });
    const rows = await query.getRawMany<{
      serverId: unknown;
      status: string;
      rows: unknown;
      shards: unknown;
    }>();
    const totals = new Map<number, { pending: number; failed: number }>();
    for (const r of rows) {
      const id = Number(r.serverId);
      const counts = totals.get(id) ?? { pending: 0, failed: 0 };
      if (r.status === 'pending' || r.status === 'failed') counts[r.status] += Number(r.rows);
      totals.set(id, counts);
    }
    if (rows.some((r) => Number(r.shards) > MAX_SHARDS)) await this.foldShards();
    return totals;
  }

  /**
   * PostgreSQL: adds the shards of connections long gone into shard 0, so reading the totals stays O(servers)
   * however many connections the node has had. Rows an open transaction holds are skipped, never waited for.
   */
  private async foldShards(): Promise<void> {
    if (this.storage.kind !== 'postgres') return;
    await this.storage.dataSource.query(
      `WITH locked AS (SELECT server_id, status, shard FROM staging_queue_count WHERE shard <> 0 FOR UPDATE SKIP LOCKED),
       moved AS (DELETE FROM staging_queue_count c USING locked l
                  WHERE c.server_id = l.server_id AND c.status = l.status AND c.shard = l.shard
                  RETURNING c.server_id, c.status, c.row_count)
       INSERT INTO staging_queue_count (server_id, status, shard, row_count)
         SELECT server_id, status, 0, SUM(row_count) FROM moved GROUP BY server_id, status
       ON CONFLICT (server_id, status, shard) DO UPDATE SET row_count = staging_queue_count.row_count + EXCLUDED.row_count`,
    );
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

/** Counter shards per server and status beyond which reading the totals folds them (PostgreSQL). */
const MAX_SHARDS = 64;

/** A LIKE pattern matching a JSON array text that holds `value` as one of its strings. */
function jsonElementPattern(value: string): string {
  return `%${escapeLike(JSON.stringify(value))}%`;
}
