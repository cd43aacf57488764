// Turns every change of a staged object into a staging task with one synchronization row per target server,
// inside the change's own transaction (the outbox), collapsing older pending tasks of the same object.
import { randomUUID } from 'node:crypto';
import {
  inject,
  injectable,
  Storage,
  type ChangeContext,
  type ChangeOrigin,
  type ObjectChange,
  type ObjectChangeListener,
} from '@syncbus/core';
import { sqlExecutorFor, type SqlExecutor } from '@syncbus/core/internal';
import type { StagingTask } from './entities/staging-task.entity';
import { StagingEventEmitters } from './staging-event-emitters';
import { StagingEvents } from './staging-events';
import { StagingQueue } from './staging-queue';
import { StagingSettings } from './staging-settings';
import { currentTaskGroups } from './task-group-scope';

/** Which task types a newly logged task replaces, when still pending (Kentico's collapsing). */
const REPLACES: Readonly<Record<string, readonly string[]>> = {
  update: ['update'],
  delete: ['create', 'update'],
};

/** Options of `logTask` beyond the change itself. */
export interface LogTaskOptions {
  /** Log only for these server ids (complete synchronization); default: every enabled server. */
  readonly serverIds?: readonly number[];
  /** What the target is expected to hold of the object (a resolved conflict; `StagingTaskData.base`). */
  readonly base?: Record<string, unknown> | null;
}

/**
 * The `ObjectChangeListener` of staging. Hot path: it writes with parameterised SQL on the change's own
 * transaction (`sqlExecutorFor`: prepared statements on SQLite), which measured several times faster than the ORM.
 */
@injectable()
export class StagingTaskLogger implements ObjectChangeListener {
  private readonly excluded: ReadonlySet<string>;

  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingEvents) private readonly events: StagingEvents,
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(StagingEventEmitters) private readonly emitters: StagingEventEmitters,
  ) {
    this.excluded = new Set(settings.excludedObjectTypes);
  }

  wantsChange(objectType: string, _taskType: string, origin: ChangeOrigin | undefined): boolean {
    if (!this.settings.logChanges || this.excluded.has(objectType)) return false;
    // A change made by applying a received task is logged again only when asked to (and then never back).
    return (origin?.servers.length ?? 0) === 0 || this.settings.logReceivedChanges;
  }

  /** Logs the change as a staging task for every enabled server, in the change's transaction. */
  async onObjectChange(change: ObjectChange, context: ChangeContext): Promise<void> {
    if (!this.wantsChange(change.snapshot.objectType, change.taskType, change.origin)) return;
    await this.logTask(change, context);
  }

  /**
   * Logs `change` as a task in `context.manager`'s transaction; returns the task, or undefined when nothing was
   * logged (excluded type or task, or no server to send it to). A cancelling `logTask.before` handler throws.
   */
  async logTask(
    change: ObjectChange,
    context: ChangeContext,
    options: LogTaskOptions = {},
  ): Promise<StagingTask | undefined> {
    if (this.excluded.has(change.snapshot.objectType)) return undefined;
    const sql = sqlExecutorFor(this.storage, context.manager);
    const origin = [...(change.origin?.servers ?? [])];
    const servers = await this.targetServers(sql, origin, options.serverIds);
    if (servers.length === 0) return undefined;

    const { snapshot } = change;
    let task: StagingTask = {
      id: 0,
      guid: randomUUID(),
      taskType: change.taskType,
      objectType: snapshot.objectType,
      objectGuid: snapshot.objectGuid,
      objectId:
        snapshot.objectId === undefined || snapshot.objectId === null ? null : String(snapshot.objectId),
      title: (snapshot.title ?? snapshot.objectGuid).slice(0, 400),
      data: snapshot.data,
      createdAt: Date.now(),
      origin,
      users: change.user ? [change.user] : [],
      groups: [...currentTaskGroups()],
      ...(options.base !== undefined ? { base: options.base } : {}),
    };
    if (!this.events.logTask.before.isEmpty) {
      const args = await this.events.logTask.before.raise({ task });
      if (args.excluded) return undefined;
      task = args.task;
    }

    const replaced = REPLACES[task.taskType];
    if (replaced) task = await this.collapse(sql, task, replaced, servers);

    const [row] = await sql.all<{ id: unknown }>(
      `INSERT INTO staging_task (guid, task_type, object_type, object_guid, object_id, title, data, created_at,
         origin, users, "groups", base) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        task.guid,
        task.taskType,
        task.objectType,
        task.objectGuid,
        task.objectId,
        task.title,
        JSON.stringify(task.data),
        task.createdAt,
        JSON.stringify(task.origin),
        JSON.stringify(task.users),
        JSON.stringify(task.groups),
        // JSON `null` (expected absent) is not SQL NULL (an ordinary task).
        task.base === undefined ? null : JSON.stringify(task.base),
      ],
    );
    const logged: StagingTask = { ...task, id: Number(row.id) };
    const objectKey = `${task.objectType}:${task.objectGuid}`.slice(0, 400);
    await this.queue.enqueueIn(
      sql,
      logged.id,
      servers.map((s) => s.id),
      objectKey,
    );
    context.afterCommit(() => this.emitters.logTask.emitAfter({ task: logged }));
    return logged;
  }

  /** Enabled servers not in the origin chain (read in the change's transaction, so it sees committed edits). */
  private async targetServers(sql: SqlExecutor, origin: readonly string[], only?: readonly number[]) {
    const rows = await sql.all<{ id: unknown; name: string }>(
      'SELECT id, name FROM staging_server WHERE enabled = TRUE ORDER BY id',
    );
    return rows
      .map((r) => ({ id: Number(r.id), name: r.name }))
      .filter((s) => !origin.includes(s.name) && (!only || only.includes(s.id)));
  }

  /**
   * Removes the synchronization rows of older pending tasks of the same object that `task` replaces, for the
   * servers `task` goes to, unless a row is leased (being sent); tasks left without rows go. The users and groups
   * of every replaced task carry over into `task`, and an update takes over the values of the updates it follows.
   */
  private async collapse(
    sql: SqlExecutor,
    task: StagingTask,
    replacedTypes: readonly string[],
    servers: readonly { id: number }[],
  ): Promise<StagingTask> {
    const older = await sql.all<{
      id: unknown;
      task_type: string;
      data: string;
      users: string;
      groups: string;
      base: string | null;
    }>(
      `SELECT id, task_type, data, users, "groups", base FROM staging_task
        WHERE object_type = ? AND object_guid = ? ORDER BY id`,
      [task.objectType, task.objectGuid],
    );
    const candidates = older.filter((t) => replacedTypes.includes(t.task_type));
    if (candidates.length === 0) return task;
    // A row being sent (leased) stays: its task is no longer replaceable for that server.
    const replacedIds = await this.queue.supersedeIn(
      sql,
      candidates.map((c) => Number(c.id)),
      servers.map((s) => s.id),
    );
    if (replacedIds.size === 0) return task;
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const candidate of candidates.filter((c) => replacedIds.has(Number(c.id)))) {
      for (const user of JSON.parse(candidate.users) as string[]) users.add(user);
      for (const group of JSON.parse(candidate.groups) as string[]) groups.add(group);
    }
    for (const user of task.users) users.add(user);
    for (const group of task.groups) groups.add(group);
    const data = task.taskType === 'update' ? mergedUpdateData(older, task.data) : task.data;
    // A replaced task logged by a conflict's resolution said what the peer holds; the task replacing it still does.
    const expected = candidates.filter((c) => replacedIds.has(Number(c.id)) && c.base !== null).pop()?.base;
    const base = task.base !== undefined || expected == null ? task.base : JSON.parse(expected);
    return { ...task, data, users: [...users], groups: [...groups], ...(base !== undefined ? { base } : {}) };
  }
}

/**
 * The data of an update that replaces older updates. Update snapshots can be partial (only what the save touched,
 * e.g. no relation it did not load), and the target merges them into the object, so the replacing update carries
 * every value the updates before it set since the object's last create, delete or host-defined task, the newest
 * winning. Updates still being sent count too: their values are already on the way, and skipping one would let an
 * older value overwrite it.
 */
function mergedUpdateData(
  older: readonly { task_type: string; data: string }[],
  newest: Record<string, unknown>,
): Record<string, unknown> {
  let start = 0;
  older.forEach((t, index) => {
    if (t.task_type !== 'update') start = index + 1;
  });
  const merged: Record<string, unknown> = {};
  for (const t of older.slice(start)) Object.assign(merged, JSON.parse(t.data) as Record<string, unknown>);
  return { ...merged, ...newest };
}
