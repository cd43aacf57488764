// The one query behind every list of staging tasks (CLI, admin API, retry and delete by filter): pending and failed
// tasks per server, one row per task and server, in logged order. Read through SynchronizationInfoProvider.list.
import { escapeLike, withSqlRead, withSqlTransaction, type SqlExecutor } from '@syncbus/core/internal';
import type { Storage } from '@syncbus/core';

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
  const where: string[] = [];
  const params: unknown[] = [];
  const and = (condition: string, ...values: unknown[]) => {
    where.push(condition);
    params.push(...values);
  };
  if (serverId !== undefined) and('s.server_id = ?', serverId);
  if (filter.objectType !== undefined) and('t.object_type = ?', filter.objectType);
  if (filter.objectGuid !== undefined) and('t.object_guid = ?', filter.objectGuid);
  if (filter.taskType !== undefined) and('t.task_type = ?', filter.taskType);
  if (filter.status !== undefined) and('s.status = ?', filter.status);
  if (filter.title !== undefined)
    and(`LOWER(t.title) LIKE ? ESCAPE '\\'`, `%${escapeLike(filter.title.toLowerCase())}%`);
  if (filter.loggedFrom !== undefined) and('t.created_at >= ?', filter.loggedFrom);
  if (filter.loggedBefore !== undefined) and('t.created_at < ?', filter.loggedBefore);
  if (filter.after !== undefined) {
    // The first terms bound the index ranges of both tables (PostgreSQL merges them); the OR alone bounds none.
    const { taskId, synchronizationId } = filter.after;
    and(
      `s.task_id >= ? AND t.id >= ? AND (${order} > ? OR s.id > ?)`,
      taskId,
      taskId,
      taskId,
      synchronizationId,
    );
  }
  // users and groups are JSON arrays of strings: match the element's JSON text, wildcards escaped.
  if (filter.group !== undefined) and(`t."groups" LIKE ? ESCAPE '\\'`, jsonElementPattern(filter.group));
  if (filter.user !== undefined) and(`t.users LIKE ? ESCAPE '\\'`, jsonElementPattern(filter.user));
  const unindexed = [
    filter.title,
    filter.user,
    filter.group,
    filter.taskType,
    filter.loggedFrom,
    filter.loggedBefore,
  ].some((f) => f !== undefined);
  const read = async (sql: SqlExecutor) => {
    const conditions = [...where];
    const values = [...params];
    if (filter.taskIds !== undefined) {
      // One parameter however many ids: one statement for every list.
      conditions.push(`${order} IN (SELECT value FROM ${sql.each('bigint')})`);
      values.push(sql.eachParam(filter.taskIds));
    }
    return sql.all<Record<string, unknown>>(
      `SELECT t.id AS task_id, s.id AS synchronization_id, v.name AS server, t.task_type, t.object_type,
              t.object_guid, t.title, t.created_at, s.status, s.attempts, s.next_attempt_at, s.last_error
         FROM staging_synchronization s
         JOIN staging_task t ON t.id = s.task_id
         JOIN staging_server v ON v.id = s.server_id
        ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY ${order}, s.id LIMIT ?`,
      [...values, filter.limit ?? 1000],
    );
  };
  const rows = await readInLoggedOrder(storage, read, unindexed && filter.taskIds === undefined);
  return rows.map((r) => ({
    taskId: Number(r.task_id),
    synchronizationId: Number(r.synchronization_id),
    server: String(r.server),
    taskType: String(r.task_type),
    objectType: String(r.object_type),
    objectGuid: String(r.object_guid),
    title: String(r.title),
    createdAt: Number(r.created_at),
    status: String(r.status),
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: (r.last_error as string | null) ?? null,
  }));
}

/**
 * Runs a page query: a read, which takes no write gate. PostgreSQL underestimates how many rows a text filter
 * (`LIKE '%x%'`) matches and would rather read every match and sort it; with sorting off for the one query (in a
 * transaction of its own, for the setting) it reads in logged order and stops at the page, as SQLite does
 * (measured: 47 ms to 1.5 ms on 100,000 tasks for a common title).
 */
function readInLoggedOrder<T>(
  storage: Storage,
  read: (sql: SqlExecutor) => Promise<T>,
  scan: boolean,
): Promise<T> {
  if (storage.kind !== 'postgres' || !scan) return withSqlRead(storage, read);
  return withSqlTransaction(storage, async (sql) => {
    await sql.all(`SELECT set_config('enable_sort', 'off', true)`);
    return read(sql);
  });
}

/** A LIKE pattern matching a JSON array text that holds `value` as one of its strings. */
function jsonElementPattern(value: string): string {
  return `%${escapeLike(JSON.stringify(value))}%`;
}
