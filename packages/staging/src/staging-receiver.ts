// Applies received tasks on the target, each in one transaction with its ledger row, so each applies once.
import {
  EventCancelledError,
  inject,
  injectable,
  Logger,
  ObjectApplier,
  ObjectApplyError,
  Storage,
  withSqlTransaction,
} from '@syncbus/core';
import { StagingReceivedTask } from './entities/staging-received-task.entity';
import { StagingEvents } from './staging-events';
import type { StagingTaskResult } from './staging-protocol';
import type { StagingTaskData } from './staging-task-data';

/**
 * The target side of staging. For each task, in order: a task whose guid the ledger holds for this source is
 * answered `duplicate` and changes nothing; otherwise `processTask.before` runs, then the task is applied through
 * core's `ObjectApplier` in one transaction together with its ledger row. A task that fails is rolled back and
 * answered `error`; later tasks of the same object in the request are held back, other objects go on.
 */
@injectable()
export class StagingReceiver {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(ObjectApplier) private readonly applier: ObjectApplier,
    @inject(StagingEvents) private readonly events: StagingEvents,
    @inject(Logger) private readonly logger: Logger,
  ) {}

  /** Applies `tasks` sent by `sourceServer` (already authenticated); one result per task, in order. */
  async receive(sourceServer: string, tasks: readonly StagingTaskData[]): Promise<StagingTaskResult[]> {
    const results: StagingTaskResult[] = [];
    const failedObjects = new Set<string>();
    for (const received of tasks) {
      const objectKey = `${received.objectType}:${received.objectGuid}`;
      if (failedObjects.has(objectKey)) {
        results.push({
          guid: received.guid,
          status: 'error',
          message: 'held back: an earlier task of this object failed',
        });
        continue;
      }
      const result = await this.receiveOne(sourceServer, received);
      if (result.status === 'error') failedObjects.add(objectKey);
      results.push(result);
    }
    return results;
  }

  private async receiveOne(sourceServer: string, received: StagingTaskData): Promise<StagingTaskResult> {
    const { guid } = received;
    if (await this.isApplied(sourceServer, guid)) return { guid, status: 'duplicate' };
    try {
      // Raised outside the transaction, so a handler may use storage itself without waiting on our write lock.
      const { task } = await this.events.processTask.before.raise({ task: received, sourceServer });
      await this.storage.transaction(async (manager) => {
        // The ledger row first: a concurrent delivery of the same task fails here on the unique key.
        await manager.insert(StagingReceivedTask, { sourceServer, taskGuid: guid, appliedAt: Date.now() });
        await this.applier.apply(manager, {
          taskType: task.taskType,
          snapshot: {
            objectType: task.objectType,
            objectGuid: task.objectGuid,
            objectId: task.objectId,
            title: task.title,
            data: task.data,
          },
          origin: { servers: [...task.origin, sourceServer] },
          user: task.users[task.users.length - 1],
        });
      });
      this.events.processTask.after.emit({ task, sourceServer });
      return { guid, status: 'applied' };
    } catch (error) {
      // Another delivery of the same task committed meanwhile: it is applied, once.
      if (await this.isApplied(sourceServer, guid)) return { guid, status: 'duplicate' };
      const known = error instanceof ObjectApplyError || error instanceof EventCancelledError;
      if (!known) {
        this.logger.warn(
          { err: error, source: sourceServer, task: guid },
          'a received staging task failed to apply',
        );
      }
      return { guid, status: 'error', message: (error as Error).message };
    }
  }

  private async isApplied(sourceServer: string, guid: string): Promise<boolean> {
    return withSqlTransaction(this.storage, async (sql) => {
      const rows = await sql.all(
        'SELECT 1 AS found FROM staging_received_task WHERE source_server = ? AND task_guid = ?',
        [sourceServer, guid],
      );
      return rows.length > 0;
    });
  }
}
