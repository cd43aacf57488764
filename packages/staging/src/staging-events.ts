// Staging's events (Kentico's StagingEvents): logging a task on the source, processing one on the target, and
// each batch's outcome.
import { inject, injectable, type AfterEvent, type SyncEvent } from '@syncbus/core';
import type { ConflictKind, ConflictOutcome } from './entities/staging-conflict.entity';
import type { StagingTask } from './entities/staging-task.entity';
import { StagingEventEmitters } from './staging-event-emitters';
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
  /**
   * Tasks the target refused (an attempt counted), holds as a conflict (no attempt counted), or that the whole
   * batch left pending (`batchError`).
   */
  readonly failed: readonly { readonly taskId: number; readonly guid: string; readonly error: string }[];
  /** Set when the batch failed as a whole (the target unreachable or answering wrongly). */
  readonly batchError?: string;
}

/** How a `conflict` before-handler resolves a conflict: take the source's fields, keep the target's, or these. */
export type ConflictResolution = 'source' | 'target' | { readonly data: Readonly<Record<string, unknown>> };

/** Args of `conflict` on the target: a received task met an object changed here since staging last left it. */
export interface StagingConflictEventArgs {
  readonly sourceServer: string;
  readonly task: StagingTaskData;
  readonly kind: ConflictKind;
  /** The staged fields, canonical: as staging last left them (null: no base), the task's, and this node's now. */
  readonly base: Readonly<Record<string, unknown>> | null;
  readonly source: Readonly<Record<string, unknown>> | null;
  readonly target: Readonly<Record<string, unknown>> | null;
  /** A before-handler sets this to resolve the conflict itself; otherwise the object type's policy decides. */
  resolution?: ConflictResolution;
  /** After: the conflict record's id and what became of it. */
  conflictId?: number;
  outcome?: ConflictOutcome;
}

/**
 * Staging events, to handle and subscribe to (only staging itself emits them). `logTask.before` may cancel (the host's change then fails with `EventCancelledError` and
 * nothing is written) or amend; `logTask.after` fires once the task has committed. `processTask` fires on the
 * target around applying a received task; a cancel answers that task `error`. `conflict` fires on the target
 * when a task meets a local edit: its before-handlers run inside the request's transaction (they must not open
 * another one) and may resolve it; after fires once the outcome has committed.
 */
@injectable()
export class StagingEvents {
  /** Around logging a task (Kentico's `StagingEvents.LogTask`). */
  readonly logTask: SyncEvent<StagingTaskEventArgs>;
  /** Around applying a received task on the target (Kentico's `StagingEvents.ProcessTask`). */
  readonly processTask: SyncEvent<StagingProcessTaskEventArgs>;
  /** After each batch sent to a target has been answered and recorded (observe only: the admin event stream). */
  readonly synchronized: AfterEvent<StagingSynchronizedArgs>;
  /** A received task met an object changed on this node since staging last left it (docs/conflicts.md). */
  readonly conflict: SyncEvent<StagingConflictEventArgs>;

  constructor(@inject(StagingEventEmitters) emitters: StagingEventEmitters) {
    this.logTask = emitters.logTask.event;
    this.processTask = emitters.processTask.event;
    this.synchronized = emitters.synchronized.event;
    this.conflict = emitters.conflict.event;
  }
}
