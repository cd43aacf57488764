// The conflicts on this node as a person sees them: list, show, and resolve by taking the source, the target or a merge.
import { inject, injectable, ObjectApplyError, ObjectTypes, Storage, type ObjectChange } from '@syncbus/core';
import {
  ObjectApplier,
  ObjectSerializer,
  sqlExecutorFor,
  type ObjectApplication,
  type SqlExecutor,
} from '@syncbus/core/internal';
import type { EntityManager } from 'typeorm';
import type { StagingConflict } from '../entities/staging-conflict.entity';
import { applicationOf } from '../received-application';
import { ServerInfoProvider } from '../server-info-provider';
import { StagingQueue } from '../staging-queue';
import { StagingTaskLogger } from '../staging-task-logger';
import { ConflictDetection } from './conflict-detection';
import { isMergeable, isResolvable } from './conflict-fields';
import { ConflictResolvedError, UnknownConflictError } from '../staging-errors';
import type { StagingTaskData } from '../staging-task-data';
import { objectKey, StagingConflictStore, type ConflictQuery } from './staging-conflict-store';
import { mergeFields, nextBase } from './three-way';

/** Which version a resolution keeps. */
export type ConflictTake = 'source' | 'target' | 'merged';

/**
 * Lists and resolves the conflicts of this node (the target). Resolving a held conflict applies (or not) its
 * task and adds it to the ledger, so the source's next delivery of it is answered `duplicate` and the object's
 * later tasks follow; resolving a conflict its policy handled can undo what the policy chose (take the target's
 * state back after an overwrite, or the source's after keep-target). Each resolution is one transaction. Where
 * this node stages back to the conflict's source (two nodes staging to each other), the resolution also replaces
 * this node's waiting tasks of the object to that source by one task of the resolved state, which says what the
 * source holds (its own version), so the source takes it without a conflict of its own and both converge.
 */
@injectable()
export class StagingConflicts {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingConflictStore) private readonly store: StagingConflictStore,
    @inject(ObjectApplier) private readonly applier: ObjectApplier,
    @inject(ObjectTypes) private readonly types: ObjectTypes,
    @inject(ObjectSerializer) private readonly serializer: ObjectSerializer,
    @inject(ConflictDetection) private readonly detection: ConflictDetection,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(StagingTaskLogger) private readonly logger: StagingTaskLogger,
  ) {}

  /** Conflicts, newest first (`status: 'open'` for those waiting for a person). */
  list(query: ConflictQuery = {}): Promise<StagingConflict[]> {
    return this.store.list(query);
  }

  /** One conflict; throws `UnknownConflictError`. */
  async get(id: number): Promise<StagingConflict> {
    const conflict = await this.store.get(id);
    if (!conflict) throw new UnknownConflictError(id);
    return conflict;
  }

  /** How many conflicts wait for a person. */
  openCount(): Promise<number> {
    return this.store.openCount();
  }

  /**
   * Resolves conflict `id` by taking the source's version, the target's, or a three-way merge (fields changed
   * on one side from that side; fields changed on both from the source). Throws `UnknownConflictError`,
   * `ConflictResolvedError` (a person or handler resolved it already) or `ObjectApplyError` (nothing changed).
   * `alsoInTransaction` (an audit entry) commits with the resolution, given the conflict as resolved.
   */
  async resolve(
    id: number,
    take: ConflictTake,
    by = 'unknown',
    alsoInTransaction?: (sql: SqlExecutor, resolved: StagingConflict) => Promise<void>,
  ): Promise<StagingConflict> {
    const known = await this.get(id);
    // Read before the transaction: on SQLite the transaction holds the node's one writer.
    const peer = this.detection.stagesBack(known.sourceServer)
      ? await this.servers.getServer(known.sourceServer)
      : undefined;
    const afterCommit: (() => void)[] = [];
    const resolved = await this.storage.transaction(async (manager) => {
      const sql = sqlExecutorFor(this.storage, manager);
      const conflict = await this.store.get(id, sql);
      if (!conflict) throw new UnknownConflictError(id);
      if (!isResolvable(conflict)) throw new ConflictResolvedError(id, conflict.outcome);
      if (conflict.outcome !== 'held') {
        // A conflict its policy handled stays undoable only until a later task of the object arrives: undoing it
        // then would overwrite that task's change.
        const last = await this.store.baseTask(sql, conflict.sourceServer, objectKey(conflict));
        if (last === undefined ? conflict.taskType !== 'delete' : last !== conflict.taskGuid) {
          throw new ConflictResolvedError(
            id,
            'superseded: a later task of the object has been applied since',
          );
        }
      }
      const task = JSON.parse(conflict.task) as StagingTaskData;
      const application = this.applicationFor(conflict, task, take);
      if (application) await this.applier.apply(manager, application);
      if (conflict.outcome === 'held') {
        // The task is done: the source's next delivery of it is a duplicate, and staging left the object as
        // the source has it (what a later task from the source is compared against).
        await this.store.markApplied(sql, conflict.sourceServer, conflict.taskGuid);
        const base = nextBase(conflict.base, conflict.source === null ? null : parse(conflict.source));
        await this.store.writeBases(sql, conflict.sourceServer, [
          {
            objectType: conflict.objectType,
            objectGuid: conflict.objectGuid,
            data: base,
            taskGuid: task.guid,
          },
        ]);
      }
      if (!(await this.store.resolve(sql, id, conflict.outcome, `took-${take}`, by))) {
        throw new ConflictResolvedError(id, 'resolved meanwhile');
      }
      if (peer?.enabled) await this.sendBack(manager, conflict, peer.id, by, afterCommit);
      const after = (await this.store.get(id, sql))!;
      await alsoInTransaction?.(sql, after);
      return after;
    });
    for (const fn of afterCommit) fn();
    return resolved;
  }

  /**
   * Replaces this node's waiting tasks of the object to the conflict's source by one task of the object as it is
   * now, carrying the source's own version as what the source is expected to hold.
   */
  private async sendBack(
    manager: EntityManager,
    conflict: StagingConflict,
    serverId: number,
    by: string,
    afterCommit: (() => void)[],
  ): Promise<void> {
    const sql = sqlExecutorFor(this.storage, manager);
    await this.queue.withdrawIn(sql, serverId, objectKey(conflict));
    const info = this.types.find(conflict.objectType);
    if (!info) return;
    const entity = await manager.getRepository(info.metadata.target).findOne({
      where: { [info.options.identity]: conflict.objectGuid },
      withDeleted: true,
      relations: Object.fromEntries(info.references.map((r) => [r.relation.propertyName, true])),
    });
    const change: ObjectChange = entity
      ? { taskType: 'update', snapshot: await this.serializer.snapshot(info, entity, manager), user: by }
      : {
          taskType: 'delete',
          snapshot: {
            objectType: conflict.objectType,
            objectGuid: conflict.objectGuid,
            title: conflict.title,
            data: {},
          },
          user: by,
        };
    await this.logger.logTask(
      change,
      { manager, afterCommit: (fn) => afterCommit.push(fn) },
      { serverIds: [serverId], base: conflict.source === null ? null : parse(conflict.source) },
    );
  }

  /** What taking `take` applies to the object now, or undefined when the object already is that version. */
  private applicationFor(
    conflict: StagingConflict,
    task: StagingTaskData,
    take: ConflictTake,
  ): ObjectApplication | undefined {
    const applied = conflict.outcome === 'overwritten' || conflict.outcome === 'merged';
    if (!this.types.find(conflict.objectType) && take !== 'target') {
      throw new ObjectApplyError(
        'UNKNOWN_OBJECT_TYPE',
        `Object type '${conflict.objectType}' is not synchronized on this node any more; resolve it by keeping the target's version (take target).`,
      );
    }
    if (take === 'source')
      return conflict.outcome === 'overwritten' ? undefined : applicationOf(task, conflict.sourceServer);
    if (take === 'target') {
      if (!applied) return undefined; // the target kept its state
      // Put the target's own state back: a change made here, by a person, so it is logged as this node's own.
      const snapshot = {
        objectType: task.objectType,
        objectGuid: task.objectGuid,
        objectId: null,
        title: task.title,
      };
      return conflict.target === null
        ? { taskType: 'delete', snapshot: { ...snapshot, data: {} } }
        : { taskType: 'update', snapshot: { ...snapshot, data: parse(conflict.target) } };
    }
    if (!isMergeable(conflict)) {
      throw new ObjectApplyError(
        'MERGE_IMPOSSIBLE',
        `Conflict ${conflict.id} (${conflict.kind}) has no ${conflict.base === null ? 'base' : 'version on both sides'} to merge; take the source's or the target's version instead.`,
      );
    }
    const merge = mergeFields(parse(conflict.base), parse(conflict.source), parse(conflict.target));
    const received = applicationOf(task, conflict.sourceServer);
    return {
      ...received,
      taskType: 'update',
      snapshot: {
        ...received.snapshot,
        data: { ...task.data, ...merge.fields },
      },
    };
  }
}

function parse(json: string | null): Record<string, unknown> {
  return json === null ? {} : (JSON.parse(json) as Record<string, unknown>);
}
