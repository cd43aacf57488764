// Lets people (CLI, admin API, tests) see what waits for a connector and why, retry failed tasks and give up on them.
import { escapeLike, sumByProcess } from '@syncbus/core/internal';
import { type AlsoInTransaction, inject, injectable, Storage } from '@syncbus/core';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import {
  IntegrationExternalSynchronizationEntity,
  IntegrationSynchronizationEntity,
} from '../storage/integration-synchronization.entity';
import { IntegrationTaskEntity } from '../storage/integration-task.entity';
import type { TaskDirection } from '../tasks/integration-task-store';
import { IntegrationQueues } from './integration-queues';
import { IntegrationTaskProcessor } from './integration-task-processor';

/** One waiting or failed task of a connector. */
export interface IntegrationSynchronizationInfo {
  readonly id: number;
  readonly taskId: number;
  readonly objectKey: string;
  /** `pending` (waits or backs off) or `failed` (out of attempts: waits for a person). */
  readonly status: string;
  readonly attempts: number;
  readonly nextAttemptAt: number;
  /** The last error, or why the task waits (SkipNow, connector disabled, check failed). */
  readonly lastError: string | null;
}

/** Filter of `page`: a connector's queue in one direction; every other field narrows. */
export interface IntegrationTaskFilter {
  readonly connector: string;
  readonly direction?: TaskDirection;
  readonly status?: 'pending' | 'failed';
  readonly objectType?: string;
  readonly taskType?: string;
  /** Only tasks whose title contains this text, ignoring case. */
  readonly title?: string;
  /** Only these synchronization rows. */
  readonly synchronizationIds?: readonly number[];
  /** Keyset paging: only rows after this one in logged order (the last row of the previous page). */
  readonly after?: { readonly taskId: number; readonly synchronizationId: number };
  /** At most this many rows (default 1000). */
  readonly limit?: number;
}

/** One task waiting for a connector, with what the task says about its object. */
export interface IntegrationTaskListing {
  readonly taskId: number;
  readonly synchronizationId: number;
  readonly connector: string;
  readonly direction: TaskDirection;
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

/** What waits for a connector in one direction. */
export interface IntegrationQueueStats {
  readonly pending: number;
  readonly failed: number;
  /** When the oldest pending task was logged (epoch ms); null when none waits. */
  readonly oldestPendingAt: number | null;
}

/** Queue inspection, retry and deletion, per connector and direction. */
@injectable()
export class IntegrationSynchronizations {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationQueues) private readonly queues: IntegrationQueues,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {}

  /** Rows of both directions under an unexpired lease, by the process holding them (`syncbus workers list`). */
  async leasesByProcess(): Promise<Map<string, number>> {
    return sumByProcess(
      await this.queues.outgoing.leasesByProcess(),
      await this.queues.incoming.leasesByProcess(),
    );
  }

  /** The synchronization rows of a connector, in logged order. */
  async list(
    connectorName: string,
    direction: TaskDirection = 'outgoing',
  ): Promise<IntegrationSynchronizationInfo[]> {
    const connector = this.registry.get(connectorName);
    const entity =
      direction === 'outgoing' ? IntegrationSynchronizationEntity : IntegrationExternalSynchronizationEntity;
    const rows = await this.storage.dataSource
      .getRepository(entity)
      .find({ where: { connectorId: connector.id }, order: { taskId: 'ASC', id: 'ASC' } });
    return rows.map((r) => ({
      id: r.id,
      taskId: r.taskId,
      objectKey: r.objectKey,
      status: r.status,
      attempts: r.attempts,
      nextAttemptAt: r.nextAttemptAt,
      lastError: r.lastError,
    }));
  }

  /**
   * One page of a connector's queue in logged order, joined with the tasks (the admin API and `syncbus tasks list
   * --connector` read it): rows after `filter.after`, at most `filter.limit`.
   */
  async page(filter: IntegrationTaskFilter): Promise<IntegrationTaskListing[]> {
    const connector = this.registry.get(filter.connector);
    const direction = filter.direction ?? 'outgoing';
    const entity =
      direction === 'outgoing' ? IntegrationSynchronizationEntity : IntegrationExternalSynchronizationEntity;
    const query = this.storage.dataSource
      .createQueryBuilder(entity, 's')
      .innerJoin(IntegrationTaskEntity, 't', 't.id = s.task_id')
      .select([
        't.id AS "taskId"',
        's.id AS "synchronizationId"',
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
      .where('s.connector_id = :connectorId', { connectorId: connector.id })
      .orderBy('t.id', 'ASC')
      .addOrderBy('s.id', 'ASC')
      .limit(filter.limit ?? 1000);
    if (filter.status !== undefined) query.andWhere('s.status = :status', { status: filter.status });
    if (filter.objectType !== undefined)
      query.andWhere('t.object_type = :objectType', { objectType: filter.objectType });
    if (filter.taskType !== undefined)
      query.andWhere('t.task_type = :taskType', { taskType: filter.taskType });
    if (filter.title !== undefined)
      query.andWhere(`LOWER(t.title) LIKE :title ESCAPE '\\'`, {
        title: `%${escapeLike(filter.title.toLowerCase())}%`,
      });
    if (filter.synchronizationIds !== undefined)
      query.andWhere('s.id IN (:...ids)', { ids: [...filter.synchronizationIds, -1] });
    if (filter.after !== undefined) {
      query.andWhere('(t.id > :afterTask OR (t.id = :afterTask AND s.id > :afterRow))', {
        afterTask: filter.after.taskId,
        afterRow: filter.after.synchronizationId,
      });
    }
    const rows = await query.getRawMany<Record<string, unknown>>();
    return rows.map((r) => ({
      taskId: Number(r.taskId),
      synchronizationId: Number(r.synchronizationId),
      connector: connector.name,
      direction,
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

  /** Per connector row id: what waits in `direction`, for every connector that has anything waiting. */
  async stats(direction: TaskDirection): Promise<Map<number, IntegrationQueueStats>> {
    const entity =
      direction === 'outgoing' ? IntegrationSynchronizationEntity : IntegrationExternalSynchronizationEntity;
    const rows = await this.storage.dataSource
      .createQueryBuilder(entity, 's')
      .innerJoin(IntegrationTaskEntity, 't', 't.id = s.task_id')
      .select('s.connector_id', 'connectorId')
      .addSelect(`SUM(CASE WHEN s.status = 'pending' THEN 1 ELSE 0 END)`, 'pending')
      .addSelect(`SUM(CASE WHEN s.status = 'failed' THEN 1 ELSE 0 END)`, 'failed')
      .addSelect(`MIN(CASE WHEN s.status = 'pending' THEN t.created_at END)`, 'oldest')
      .groupBy('s.connector_id')
      .getRawMany<{ connectorId: unknown; pending: unknown; failed: unknown; oldest: unknown }>();
    return new Map(
      rows.map((r) => [
        Number(r.connectorId),
        {
          pending: Number(r.pending),
          failed: Number(r.failed),
          oldestPendingAt: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest),
        },
      ]),
    );
  }

  /**
   * Makes the given rows (default: every failed one) due now with fresh attempts; returns how many. Ids of another
   * connector's rows are ignored. `alsoInTransaction` (an audit row) commits with the change.
   */
  async retry(
    connectorName: string,
    direction: TaskDirection = 'outgoing',
    ids?: readonly number[],
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<number> {
    const connector = this.registry.get(connectorName);
    const targets = await this.ownIds(
      ids === undefined
        ? { connector: connectorName, direction, status: 'failed' }
        : { connector: connectorName, direction, synchronizationIds: ids },
    );
    const changed = await this.queues.of(direction).retry(targets, alsoInTransaction);
    this.processor.wake(connector.id);
    return changed;
  }

  /**
   * Deletes the given rows of the connector (a person gave up on them: they are never processed), with their
   * tasks; returns how many rows went. Ids of another connector's rows are ignored.
   */
  async delete(
    connectorName: string,
    direction: TaskDirection,
    ids: readonly number[],
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<number> {
    const targets = await this.ownIds({ connector: connectorName, direction, synchronizationIds: ids });
    return this.queues.of(direction).remove(targets, alsoInTransaction);
  }

  /** Makes every row matching `filter` due now with fresh attempts, in one transaction; returns how many. */
  async retryMatching(filter: IntegrationTaskFilter, alsoInTransaction?: AlsoInTransaction): Promise<number> {
    const changed = await this.queues
      .of(filter.direction ?? 'outgoing')
      .retry(await this.ownIds(filter), alsoInTransaction);
    this.processor.wake(this.registry.get(filter.connector).id);
    return changed;
  }

  /** Deletes every row matching `filter` with their tasks, in one transaction; returns how many rows went. */
  async deleteMatching(
    filter: IntegrationTaskFilter,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<number> {
    return this.queues
      .of(filter.direction ?? 'outgoing')
      .remove(await this.ownIds(filter), alsoInTransaction);
  }

  /** Row ids of every row matching `filter` (the connector's own only), read in keyset pages. */
  private async ownIds(filter: IntegrationTaskFilter): Promise<number[]> {
    const ids: number[] = [];
    for (let after = filter.after; ;) {
      const page = await this.page({ ...filter, after, limit: 10_000 });
      ids.push(...page.map((r) => r.synchronizationId));
      if (page.length < 10_000) return ids;
      after = page[page.length - 1];
    }
  }
}
