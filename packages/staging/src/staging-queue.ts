// Staging's synchronization rows drained through core's one claim-and-lease mechanism.
import { LeaseQueue, type SynchronizationTable } from '@syncbus/core/internal';
import { type Provider, Storage } from '@syncbus/core';

/** Where staging's synchronization rows live; a task goes when its last row completes. */
export const STAGING_SYNCHRONIZATION_TABLE: SynchronizationTable = {
  table: 'staging_synchronization',
  targetColumn: 'server_id',
  taskTable: 'staging_task',
  deleteCompletedTasks: true,
  // What the wire carries: a claim returns the rows with their tasks (`stagingTaskOf` reads them).
  taskColumns: [
    'guid',
    'task_type',
    'object_type',
    'object_guid',
    'object_id',
    'title',
    'data',
    'created_at',
    'origin',
    'users',
    '"groups"',
    'base',
  ],
};

/** Token of the node's `LeaseQueue` over `staging_synchronization`. */
export const StagingQueue = Symbol('StagingQueue');
export type StagingQueue = LeaseQueue;

/** Binds `StagingQueue`. */
export const stagingQueueProvider: Provider = {
  provide: StagingQueue,
  useFactory: (resolver) => new LeaseQueue(resolver.get(Storage), STAGING_SYNCHRONIZATION_TABLE),
};
