// The two queues of the bus on core's one claim-and-lease mechanism: outgoing and incoming tasks per connector.
import { inject, injectable, Storage } from '@syncbus/core';
import { LeaseQueue } from '@syncbus/core/internal';
import type { TaskDirection } from '../tasks/integration-task-store';

/** The columns of `integration_task` a claim returns with each row (`claimedTask` reads them). */
export const INTEGRATION_TASK_COLUMNS: readonly string[] = [
  'guid',
  'inbound',
  'task_type',
  'object_type',
  'object_guid',
  'title',
  'data',
  'data_type',
  'process_type',
  'user_name',
  'created_at',
];

/** The outgoing and incoming LeaseQueues; the connector's row id is the target. */
@injectable()
export class IntegrationQueues {
  readonly outgoing: LeaseQueue;
  readonly incoming: LeaseQueue;

  constructor(@inject(Storage) storage: Storage) {
    // Tasks go with their last synchronization row; the sync log keeps the history of what went wrong.
    this.outgoing = new LeaseQueue(storage, {
      table: 'integration_synchronization',
      targetColumn: 'connector_id',
      taskTable: 'integration_task',
      deleteCompletedTasks: true,
      taskColumns: INTEGRATION_TASK_COLUMNS,
    });
    this.incoming = new LeaseQueue(storage, {
      table: 'integration_external_synchronization',
      targetColumn: 'connector_id',
      taskTable: 'integration_task',
      deleteCompletedTasks: true,
      taskColumns: INTEGRATION_TASK_COLUMNS,
    });
  }

  /** The queue of a direction. */
  of(direction: TaskDirection): LeaseQueue {
    return direction === 'outgoing' ? this.outgoing : this.incoming;
  }
}
