// What people see of the staging queue (CLI, admin API): pending and failed tasks per server, retry and delete.
import { inject, injectable, Storage } from '@syncbus/core';
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
  readonly status?: 'pending' | 'failed';
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
    if (filter.status !== undefined) query.andWhere('s.status = :status', { status: filter.status });
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

  /** Makes the tasks' rows (optionally only for one server) due now with fresh attempts; returns how many. */
  async retry(taskIds: readonly number[], server?: string): Promise<number> {
    return this.queue.retry(await this.synchronizationIds(taskIds, server));
  }

  /** Deletes the tasks' rows (optionally only for one server) and tasks no server waits for; returns rows removed. */
  async delete(taskIds: readonly number[], server?: string): Promise<number> {
    return this.queue.remove(await this.synchronizationIds(taskIds, server));
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
  return `%${JSON.stringify(value).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
