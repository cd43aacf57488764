// Staging's events (Kentico's StagingEvents): logging a task on the source, processing one on the target, and
// each batch's outcome.
import { inject, injectable, SyncEventFactory, type AfterEvent, type SyncEvent } from '@syncbus/core';
import type { StagingTask } from './entities/staging-task.entity';
import type { StagingTaskData } from './staging-task-data';

/** Args of `logTask` (Kentico's StagingTaskEventArgs). */
export interface StagingTaskEventArgs {
  /**
   * Before: the task about to be logged, `id` 0 as in Kentico; handlers may amend it (title, data, users,
   * groups). After: the committed task with its id.
   */
  task: StagingTask;
  /** A before-handler sets this to log no task for the change (the change itself goes ahead). */
  excluded?: boolean;
}

/** Args of `processTask` on the target: the received task and the server that sent it. */
export interface StagingProcessTaskEventArgs {
  /** The received task; a before-handler may amend it (it is applied as amended). */
  task: StagingTaskData;
  readonly sourceServer: string;
}

/** Args of `synchronized`: one batch to a target server, as it ended. */
export interface StagingSynchronizedArgs {
  readonly server: string;
  /** Tasks the target applied or had applied before: they left the queue for this server. */
  readonly delivered: readonly { readonly taskId: number; readonly guid: string }[];
  /** Tasks the target refused (an attempt counted) or that the whole batch left pending (`batchError`). */
  readonly failed: readonly { readonly taskId: number; readonly guid: string; readonly error: string }[];
  /** Set when the batch failed as a whole (the target unreachable or answering wrongly). */
  readonly batchError?: string;
}

/**
 * Staging events. `logTask.before` may cancel (the host's change then fails with `EventCancelledError` and
 * nothing is written) or amend; `logTask.after` fires once the task has committed. `processTask` fires on the
 * target around applying a received task; a cancel answers that task `error`.
 */
@injectable()
export class StagingEvents {
  /** Around logging a task (Kentico's `StagingEvents.LogTask`). */
  readonly logTask: SyncEvent<StagingTaskEventArgs>;
  /** Around applying a received task on the target (Kentico's `StagingEvents.ProcessTask`). */
  readonly processTask: SyncEvent<StagingProcessTaskEventArgs>;
  /** After each batch sent to a target has been answered and recorded (observe only: the admin event stream). */
  readonly synchronized: AfterEvent<StagingSynchronizedArgs>;

  constructor(@inject(SyncEventFactory) factory: SyncEventFactory) {
    this.logTask = factory.create<StagingTaskEventArgs>('staging.logTask');
    this.processTask = factory.create<StagingProcessTaskEventArgs>('staging.processTask');
    this.synchronized = factory.createAfter<StagingSynchronizedArgs>('staging.synchronized');
  }
}
