// Lets people (CLI, admin API, tests) see what waits for a connector and why, retry failed tasks and give up on them.
import { inject, injectable, Storage } from '@syncbus/core';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import {
  IntegrationExternalSynchronizationEntity,
  IntegrationSynchronizationEntity,
} from '../storage/integration-synchronization.entity';
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

/** Queue inspection, retry and deletion, per connector and direction. */
@injectable()
export class IntegrationSynchronizations {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationQueues) private readonly queues: IntegrationQueues,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {}

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

  /** Makes the given rows (default: every failed one) due now with fresh attempts; returns how many. */
  async retry(
    connectorName: string,
    direction: TaskDirection = 'outgoing',
    ids?: readonly number[],
  ): Promise<number> {
    const connector = this.registry.get(connectorName);
    const targets =
      ids ??
      (await this.list(connectorName, direction)).filter((r) => r.status === 'failed').map((r) => r.id);
    const changed = await this.queues.of(direction).retry(targets);
    this.processor.wake(connector.id);
    return changed;
  }

  /**
   * Deletes the given rows of the connector (a person gave up on them: they are never processed), with their
   * tasks; returns how many rows went. Ids of another connector's rows are ignored.
   */
  async delete(connectorName: string, direction: TaskDirection, ids: readonly number[]): Promise<number> {
    const own = new Set((await this.list(connectorName, direction)).map((r) => r.id));
    return this.queues.of(direction).remove(ids.filter((id) => own.has(id)));
  }
}
