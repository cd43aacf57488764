// Writes tasks with their synchronization row (in the caller's transaction) and reads them back as IntegrationTasks.
import { inject, injectable, Storage } from '@syncbus/core';
import { sqlExecutorFor, type ClaimedSynchronization } from '@syncbus/core/internal';
import type { EntityManager } from 'typeorm';
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

/** A claimed row's task, read by the claim (`INTEGRATION_TASK_COLUMNS`); undefined when the task is gone. */
export function claimedTask(row: ClaimedSynchronization): IntegrationTask | undefined {
  const t = row.task;
  if (!t) return undefined;
  return toIntegrationTask({
    id: row.taskId,
    guid: String(t.guid),
    // SQLite answers 0/1, PostgreSQL a boolean; a bigint arrives from PostgreSQL as text.
    inbound: Boolean(t.inbound),
    taskType: String(t.task_type),
    objectType: String(t.object_type),
    objectGuid: String(t.object_guid),
    title: String(t.title),
    data: String(t.data),
    dataType: String(t.data_type),
    processType: String(t.process_type),
    userName: t.user_name === null || t.user_name === undefined ? null : String(t.user_name),
    createdAt: Number(t.created_at),
  });
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
}
