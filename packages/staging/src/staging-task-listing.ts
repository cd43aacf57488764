// The one query behind every list of staging tasks (CLI, admin API, retry and delete by filter): pending and failed
// tasks per server, one row per task and server, in logged order. Read through SynchronizationInfoProvider.list.
import { escapeLike } from '@syncbus/core/internal';
import type { Storage } from '@syncbus/core';
import type { SelectQueryBuilder } from 'typeorm';
import { StagingServer } from './entities/staging-server.entity';
import { StagingSynchronization } from './entities/staging-synchronization.entity';
import { StagingTask } from './entities/staging-task.entity';

/** Filter of `SynchronizationInfoProvider.list`: every field narrows. */
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

/**
 * Rows matching `filter`, its server already resolved to `serverId`. Each filter has an index in logged order
 * (migration `ScaleStagingQueue`), so a page reads about `limit` index entries however long the queue is: a filter
 * on the task (object type) reads the task's index and orders by `t.id`, any other by the row's (server, status, or
 * none) and orders by `s.task_id`. Filters without an index (title, user, group, task type, logged time) read in
 * that order and stop once the page is full: cheap for a common value, a scan of the queue for a value no row has
 * (docs/admin-api.md, Scale).
 */
export async function listStagingTasks(
  storage: Storage,
  filter: StagingTaskFilter,
  serverId: number | undefined,
): Promise<StagingTaskListing[]> {
  const byTask =
    filter.objectType !== undefined || filter.taskType !== undefined || filter.objectGuid !== undefined;
  const order = byTask ? 't.id' : 's.task_id';
  const query = storage.dataSource
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
  if (serverId !== undefined) query.andWhere('s.server_id = :serverId', { serverId });
  if (filter.objectType !== undefined)
    query.andWhere('t.object_type = :objectType', { objectType: filter.objectType });
  if (filter.objectGuid !== undefined)
    query.andWhere('t.object_guid = :objectGuid', { objectGuid: filter.objectGuid });
  if (filter.taskType !== undefined) query.andWhere('t.task_type = :taskType', { taskType: filter.taskType });
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
  const rows = await readInLoggedOrder(storage, query, unindexed && filter.taskIds === undefined);
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
async function readInLoggedOrder(
  storage: Storage,
  query: SelectQueryBuilder<StagingSynchronization>,
  scan: boolean,
): Promise<Record<string, unknown>[]> {
  if (storage.kind !== 'postgres' || !scan) return query.getRawMany<Record<string, unknown>>();
  const runner = storage.dataSource.createQueryRunner();
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

/** A LIKE pattern matching a JSON array text that holds `value` as one of its strings. */
function jsonElementPattern(value: string): string {
  return `%${escapeLike(JSON.stringify(value))}%`;
}
