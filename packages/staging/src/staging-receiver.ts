// Applies received tasks on the target, each in one transaction with its ledger row, so each applies once.
import { EventCancelledError, inject, injectable, Logger, ObjectApplyError, Storage } from '@syncbus/core';
import { ObjectApplier, sqlExecutorFor, withSqlRead } from '@syncbus/core/internal';
import { ConflictDetection, ConflictHeld, type ConflictSession } from './conflicts/conflict-detection';
import { applicationOf } from './received-application';
import { StagingEventEmitters } from './staging-event-emitters';
import { StagingEvents } from './staging-events';
import type { StagingTaskResult } from './staging-protocol';
import type { StagingTaskData } from './staging-task-data';

/** The message of a task that failed on the target for a reason of the target's own (its log has the details). */
export const APPLY_FAILED =
  "APPLY_FAILED: the target could not apply this task; its log has the details (search for the task's guid).";
const HELD_BACK = 'held back: an earlier task of this object failed';
const NOT_COMMITTED =
  'NOT_COMMITTED: the target could not commit this request; nothing of it was applied, and it is sent again.';

/**
 * The target side of staging. A request's tasks are applied in order in ONE transaction with their ledger rows
 * (one commit per request: the measured cost of receiving was per-task work). A task whose guid the ledger holds
 * for this source is answered `duplicate` and changes nothing. The common request applies without savepoints and
 * writes its ledger rows in one statement; when anything in it fails, all of it is rolled back and applied again
 * with a savepoint per task, so a task that fails (or whose `processTask.before` cancels) is rolled back alone and
 * answered `error`, and later tasks of the same object in the request are held back; other objects go on. (A
 * host's TypeORM subscribers therefore see the tasks before a failing one twice, the first time rolled back.)
 * `processTask.before` runs for every task before the transaction starts (so a handler may use storage itself);
 * `processTask.after` fires for the applied ones once the transaction has committed. Each create, update and
 * delete is compared with the object as this node holds it (`ConflictDetection`): a task that meets a local
 * edit is handled by its type's policy, answered `applied` or `skipped` with the conflict in its message, or
 * `conflict` when held (its object's later tasks in the request are then held back, as after an error).
 */
@injectable()
export class StagingReceiver {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(ObjectApplier) private readonly applier: ObjectApplier,
    @inject(StagingEvents) private readonly events: StagingEvents,
    @inject(Logger) private readonly logger: Logger,
    @inject(ConflictDetection) private readonly conflicts: ConflictDetection,
    @inject(StagingEventEmitters) private readonly emitters: StagingEventEmitters,
  ) {}

  /** Applies `tasks` sent by `sourceServer` (already authenticated); one result per task, in order. */
  async receive(sourceServer: string, tasks: readonly StagingTaskData[]): Promise<StagingTaskResult[]> {
    const results: (StagingTaskResult | undefined)[] = new Array(tasks.length);
    const known = await this.appliedGuids(
      sourceServer,
      tasks.map((t) => t.guid),
    );
    const prepared: { index: number; task: StagingTaskData }[] = [];
    const inRequest = new Set<string>();
    for (const [index, received] of tasks.entries()) {
      // A guid the ledger holds, or one this request already carries, is the same task again.
      const again = known.has(received.guid) || inRequest.has(received.guid);
      inRequest.add(received.guid);
      if (again) {
        results[index] = { guid: received.guid, status: 'duplicate' };
        continue;
      }
      try {
        const { task } = await this.events.processTask.before.raise({ task: received, sourceServer });
        prepared.push({ index, task });
      } catch (error) {
        // A throwing processTask.before handler cancels the task, in its own words (the host's, not the database's).
        results[index] = { guid: received.guid, status: 'error', message: cancelMessage(error) };
      }
    }
    // Where each object first failed: its later tasks in this request are held back (a before-cancel counts).
    const failedAt = new Map<string, number>();
    const key = (t: StagingTaskData) => `${t.objectType}:${t.objectGuid}`;
    tasks.forEach((t, i) => {
      if (results[i]?.status === 'error' && !failedAt.has(key(t))) failedAt.set(key(t), i);
    });
    const toApply: { index: number; task: StagingTaskData }[] = [];
    for (const entry of prepared) {
      if ((failedAt.get(key(entry.task)) ?? Infinity) < entry.index) {
        results[entry.index] = {
          guid: entry.task.guid,
          status: 'error',
          message: HELD_BACK,
        };
      } else toApply.push(entry);
    }
    let applied: StagingTaskData[];
    let session: ConflictSession | undefined;
    try {
      ({ applied, session } = await this.applyAll(sourceServer, toApply));
      for (const { index, task } of toApply) results[index] = { guid: task.guid, status: 'applied' };
    } catch {
      // A task failed or was held, a concurrent delivery holds one of the ledger rows, or the commit failed:
      // everything was rolled back, and the request goes again with a savepoint per task, so a failing task
      // rolls back alone.
      const outcome = await this.applyEach(sourceServer, toApply, failedAt, results);
      if (!outcome) {
        const again = await this.appliedGuids(
          sourceServer,
          tasks.map((t) => t.guid),
        );
        for (const { index, task } of prepared) {
          results[index] = again.has(task.guid)
            ? { guid: task.guid, status: 'duplicate' }
            : { guid: task.guid, status: 'error', message: NOT_COMMITTED };
        }
        return results as StagingTaskResult[];
      }
      ({ applied, session } = outcome);
    }
    if (session) {
      for (const [index, result] of results.entries()) {
        const answer = result?.status === 'applied' ? session.answerOf(result.guid) : undefined;
        if (answer) results[index] = { guid: result!.guid, ...answer };
      }
      session.emitCommitted();
    }
    for (const task of applied) {
      // A task the target kept its own edit over (keep-target) changed nothing here.
      if (session?.answerOf(task.guid)?.status !== 'skipped')
        this.emitters.processTask.emitAfter({ task, sourceServer });
    }
    // A task that failed because another delivery of it committed meanwhile is applied, once.
    const errored = tasks.filter((_, i) => results[i]?.status === 'error').map((t) => t.guid);
    if (errored.length > 0) {
      const meanwhile = await this.appliedGuids(sourceServer, errored);
      tasks.forEach((t, i) => {
        if (results[i]?.status === 'error' && meanwhile.has(t.guid))
          results[i] = { guid: t.guid, status: 'duplicate' };
      });
    }
    return results as StagingTaskResult[];
  }

  /**
   * The fast path: every task in one transaction, no savepoints, the ledger rows in one statement first (so a
   * concurrent delivery of the same task fails there, on the unique key). Throws when anything fails.
   */
  private async applyAll(
    sourceServer: string,
    entries: readonly { task: StagingTaskData }[],
  ): Promise<{ applied: StagingTaskData[]; session?: ConflictSession }> {
    if (entries.length === 0) return { applied: [] };
    const tasks = entries.map((e) => e.task);
    const session = await this.storage.transaction(async (manager) => {
      const sql = sqlExecutorFor(this.storage, manager);
      const conflicts = await this.conflicts.begin(sql, sourceServer, tasks);
      await sql.run(
        `INSERT INTO staging_received_task (source_server, task_guid, applied_at)
           SELECT ?, value, CAST(? AS bigint) FROM ${sql.each('text')}`,
        [sourceServer, Date.now(), sql.eachParam(tasks.map((t) => t.guid))],
      );
      for (const task of tasks) {
        await this.applier.apply(manager, applicationOf(task, sourceServer), conflicts?.guard(task));
      }
      await conflicts?.flush(sql);
      return conflicts;
    });
    return { applied: tasks, session };
  }

  /**
   * The careful path: one transaction, each task in its own savepoint with its ledger row; a task that fails is
   * rolled back alone and answered `error`, and its object's later tasks are held back. Resolves with the applied
   * tasks, or undefined when the commit itself failed (nothing of the request was applied).
   */
  private async applyEach(
    sourceServer: string,
    entries: readonly { index: number; task: StagingTaskData }[],
    failedAt: Map<string, number>,
    results: (StagingTaskResult | undefined)[],
  ): Promise<{ applied: StagingTaskData[]; session?: ConflictSession } | undefined> {
    const applied: StagingTaskData[] = [];
    let session: ConflictSession | undefined;
    try {
      await this.storage.transaction(async (manager) => {
        const outer = sqlExecutorFor(this.storage, manager);
        const conflicts = (session = await this.conflicts.begin(
          outer,
          sourceServer,
          entries.map((e) => e.task),
        ));
        for (const { index, task } of entries) {
          const objectKey = `${task.objectType}:${task.objectGuid}`;
          if ((failedAt.get(objectKey) ?? Infinity) < index) {
            results[index] = {
              guid: task.guid,
              status: 'error',
              message: HELD_BACK,
            };
            continue;
          }
          try {
            await manager.transaction(async (savepoint) => {
              const sql = sqlExecutorFor(this.storage, savepoint);
              await sql.run(
                'INSERT INTO staging_received_task (source_server, task_guid, applied_at) VALUES (?, ?, ?)',
                [sourceServer, task.guid, Date.now()],
              );
              await this.applier.apply(savepoint, applicationOf(task, sourceServer), conflicts?.guard(task));
              await conflicts?.flush(sql);
            });
            results[index] = { guid: task.guid, status: 'applied' };
            applied.push(task);
          } catch (error) {
            if (!failedAt.has(objectKey)) failedAt.set(objectKey, index);
            if (error instanceof ConflictHeld && conflicts) {
              const id = await conflicts.hold(outer, error);
              results[index] = { guid: task.guid, status: 'conflict', message: heldMessage(id, error) };
              continue;
            }
            conflicts?.discard();
            results[index] = this.failure(task.guid, error, sourceServer);
          }
        }
      });
    } catch (error) {
      this.logger.warn({ err: error, source: sourceServer }, 'a staging request could not be committed');
      return undefined;
    }
    return { applied, session };
  }

  /**
   * The answer for a task that failed. Our own errors (a value or reference the target cannot take, a cancelled
   * event) say what to fix; anything else (a database constraint, a host subscriber's bug) stays in this node's
   * log, and the source gets a stable code: database and host internals are not the sender's to read.
   */
  private failure(guid: string, error: unknown, sourceServer: string): StagingTaskResult {
    if (error instanceof ObjectApplyError || error instanceof EventCancelledError) {
      return { guid, status: 'error', message: `${error.code}: ${error.message}` };
    }
    this.logger.warn(
      { err: error, source: sourceServer, task: guid },
      'a received staging task failed to apply',
    );
    return { guid, status: 'error', message: APPLY_FAILED };
  }

  /** Which of `guids` the ledger already holds for this source (one query per request). */
  private async appliedGuids(sourceServer: string, guids: readonly string[]): Promise<Set<string>> {
    if (guids.length === 0) return new Set();
    return withSqlRead(this.storage, async (sql) => {
      const rows = await sql.all<{ task_guid: string }>(
        `SELECT task_guid FROM staging_received_task WHERE source_server = ? AND task_guid ${sql.in(guids)}`,
        [sourceServer, ...sql.inParams(guids)],
      );
      return new Set(rows.map((r) => r.task_guid));
    });
  }
}

/** The answer to a held task: which conflict holds it, and how to resolve it. */
function heldMessage(id: number, held: ConflictHeld): string {
  const { objectType, objectGuid } = held.conflict;
  return (
    `CONFLICT: ${objectType} '${objectGuid}' was changed on the target since the last synchronization; the task ` +
    `and later tasks of the object wait until conflict ${id} is resolved there (syncbus conflicts resolve ${id}).`
  );
}

/** The answer to a task a `processTask.before` handler cancelled or threw for. */
function cancelMessage(error: unknown): string {
  if (error instanceof EventCancelledError) return `${error.code}: ${error.message}`;
  return `EVENT_CANCELLED: ${(error as Error)?.message ?? error}`;
}
