// What people see of the staging queue (CLI, admin API): pending and failed tasks per server, retry and delete.
import { inject, injectable, Storage, type AlsoInTransaction } from '@syncbus/core';
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

  /** Tasks still waiting for a server (pending or failed), in logged order. */
  async list(filter: StagingTaskFilter = {}): Promise<StagingTaskListing[]> {
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
      .orderBy('t.id', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .limit(filter.limit ?? 1000);
    if (filter.server !== undefined) {
      await this.serverId(filter.server);
      query.andWhere('v.name = :server', { server: filter.server });
    }
    if (filter.objectType !== undefined)
      query.andWhere('t.object_type = :objectType', { objectType: filter.objectType });
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
      query.andWhere('(t.id > :afterTask OR (t.id = :afterTask AND s.id > :afterRow))', {
        afterTask: filter.after.taskId,
        afterRow: filter.after.synchronizationId,
      });
    }
    // users and groups are JSON arrays of strings: match the element's JSON text, wildcards escaped.
    if (filter.group !== undefined)
      query.andWhere(`t."groups" LIKE :group ESCAPE '\\'`, { group: jsonElementPattern(filter.group) });
    if (filter.user !== undefined)
      query.andWhere(`t.users LIKE :user ESCAPE '\\'`, { user: jsonElementPattern(filter.user) });
    if (filter.taskIds !== undefined)
      query.andWhere('t.id IN (:...taskIds)', { taskIds: [...filter.taskIds, -1] });
    const rows = await query.getRawMany<Record<string, unknown>>();
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
   * server that has any.
   */
  async stats(): Promise<Map<number, { pending: number; failed: number; oldestPendingAt: number | null }>> {
    const rows = await this.storage.dataSource
      .createQueryBuilder(StagingSynchronization, 's')
      .innerJoin(StagingTask, 't', 't.id = s.task_id')
      .select('s.server_id', 'serverId')
      .addSelect(`SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END)`, 'pending')
      .addSelect(`SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END)`, 'failed')
      .addSelect(`MIN(CASE WHEN s.status = 'pending' THEN t.created_at END)`, 'oldest')
      .groupBy('s.server_id')
      .getRawMany<{ serverId: unknown; pending: unknown; failed: unknown; oldest: unknown }>();
    return new Map(
      rows.map((r) => [
        Number(r.serverId),
        {
          pending: Number(r.pending),
          failed: Number(r.failed),
          oldestPendingAt: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest),
        },
      ]),
    );
  }

  /** How many tasks wait for a server (by name), by status. */
  async count(server: string): Promise<{ pending: number; failed: number }> {
    const serverId = await this.serverId(server);
    const rows = await this.storage.dataSource
      .createQueryBuilder(StagingSynchronization, 's')
      .select('s.status', 'status')
      .addSelect('COUNT(*)', 'count')
      .where('s.server_id = :serverId', { serverId })
      .groupBy('s.status')
      .getRawMany<{ status: string; count: unknown }>();
    const of = (status: string) => Number(rows.find((r) => r.status === status)?.count ?? 0);
    return { pending: of('pending'), failed: of('failed') };
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

/** A LIKE pattern matching a JSON array text that holds `value` as one of its strings. */
function jsonElementPattern(value: string): string {
  return `%${escapeLike(JSON.stringify(value))}%`;
}

/** `value` with LIKE's wildcards and the escape character escaped (`ESCAPE '\\'`). */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
