// Which servers a task is pending for, and the state of each synchronization (Kentico's SynchronizationInfoProvider).
import { inject, injectable, Storage } from '@syncbus/core';
import { StagingSynchronization } from './entities/staging-synchronization.entity';

/** Filter of `getSynchronizations`. */
export interface SynchronizationFilter {
  readonly taskId?: number;
  readonly serverId?: number;
  readonly status?: 'pending' | 'failed';
}

/** Reads staging synchronization rows: one per task and target server that still waits for it. */
@injectable()
export class SynchronizationInfoProvider {
  constructor(@inject(Storage) private readonly storage: Storage) {}

  /** Synchronization rows matching `filter`, in task order. */
  getSynchronizations(filter: SynchronizationFilter = {}): Promise<StagingSynchronization[]> {
    const where: Record<string, unknown> = {};
    if (filter.taskId !== undefined) where.taskId = filter.taskId;
    if (filter.serverId !== undefined) where.serverId = filter.serverId;
    if (filter.status !== undefined) where.status = filter.status;
    return this.storage.dataSource
      .getRepository(StagingSynchronization)
      .find({ where, order: { taskId: 'ASC', id: 'ASC' } });
  }

  /** Ids of the servers `taskId` is still pending (or failed) for. */
  async getServerIdsForTask(taskId: number): Promise<number[]> {
    return (await this.getSynchronizations({ taskId })).map((s) => s.serverId);
  }
}
