// Writes tasks with their synchronization row (in the caller's transaction) and reads them back as IntegrationTasks.
import { inject, injectable, Storage } from '@syncbus/core';
import { sqlExecutorFor } from '@syncbus/core/internal';
import { In, type EntityManager } from 'typeorm';
import type { IntegrationDataType, IntegrationProcessType } from '../connectors/connector-subscription';
import { IntegrationQueues } from '../processing/integration-queues';
import { IntegrationTaskEntity } from '../storage/integration-task.entity';
import type { IntegrationTask } from './integration-task';

/** Outgoing tasks go to `integration_synchronization`, incoming ones to `integration_external_synchronization`. */
export type TaskDirection = 'outgoing' | 'incoming';

/** The hold-back key of a task: later tasks of the same object wait for an earlier one of the same connector. */
export function objectKeyOf(task: Pick<IntegrationTask, 'objectType' | 'objectGuid'>): string {
  return `${task.objectType}:${task.objectGuid}`.slice(0, 400);
}

/** Reads a stored row as the task connectors see. */
export function toIntegrationTask(row: IntegrationTaskEntity): IntegrationTask {
  const data = JSON.parse(row.data) as {
    object?: IntegrationTask['object'];
    related?: IntegrationTask['related'];
    externalObject?: unknown;
  };
  return {
    id: row.id,
    guid: row.guid,
    inbound: Boolean(row.inbound),
    taskType: row.taskType,
    objectType: row.objectType,
    objectGuid: row.objectGuid,
    title: row.title,
    dataType: row.dataType as IntegrationDataType,
    processType: row.processType as IntegrationProcessType,
    createdAt: new Date(row.createdAt),
    user: row.userName ?? undefined,
    object: data.object,
    related: data.related ?? [],
    externalObject: data.externalObject,
  };
}

/** Stores and loads integration tasks. */
@injectable()
export class IntegrationTaskStore {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationQueues) private readonly queues: IntegrationQueues,
  ) {}

  /**
   * Writes `task` with `manager` and queues it for `connectorId` (the queue writes its row), in the transaction
   * `manager` runs; resolves with the stored task.
   */
  async insert(
    manager: EntityManager,
    task: IntegrationTask,
    connectorId: number,
    direction: TaskDirection,
  ): Promise<IntegrationTask> {
    const data = task.inbound
      ? { externalObject: task.externalObject }
      : { object: task.object, related: task.related.length ? task.related : undefined };
    const inserted = await manager.insert(IntegrationTaskEntity, {
      guid: task.guid,
      inbound: task.inbound,
      taskType: task.taskType,
      objectType: task.objectType.slice(0, 200),
      objectGuid: task.objectGuid.slice(0, 400),
      title: task.title.slice(0, 400),
      data: JSON.stringify(data),
      dataType: task.dataType,
      processType: task.processType,
      userName: task.user ?? null,
      createdAt: task.createdAt.getTime(),
    });
    const id = Number(inserted.identifiers[0].id);
    await this.queues
      .of(direction)
      .enqueueIn(sqlExecutorFor(this.storage, manager), id, [connectorId], objectKeyOf(task));
    return { ...task, id };
  }

  /** The tasks with these ids (missing ones are left out). */
  async find(ids: readonly number[]): Promise<Map<number, IntegrationTask>> {
    if (ids.length === 0) return new Map();
    const rows = await this.storage.dataSource
      .getRepository(IntegrationTaskEntity)
      .findBy({ id: In([...ids]) });
    return new Map(rows.map((row) => [row.id, toIntegrationTask(row)]));
  }
}
