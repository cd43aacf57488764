// Captures changes of synchronized entities inside their transaction and hands them to the task loggers.
import type {
  DataSource,
  EntityManager,
  EntitySubscriberInterface,
  InsertEvent,
  ObjectLiteral,
  QueryRunner,
  RecoverEvent,
  RemoveEvent,
  SoftRemoveEvent,
  TransactionCommitEvent,
  TransactionRollbackEvent,
  UpdateEvent,
} from 'typeorm';
import type { Storage } from '../storage/storage';
import { currentChangeScope } from './change-scope';
import type { ObjectChange, ObjectSnapshot, TaskType } from './object-change';
import type { ChangeContext, ObjectChangeListener } from './object-change-listener';
import { ObjectApplyError } from './object-apply-error';
import { hydrate, rowsWithKeys } from './object-rows';
import type { ObjectSerializer } from './object-serializer';
import type { ObjectTypeInfo, ObjectTypes } from './object-types';
import {
  captureQueryBuilderWrites,
  isCapturedByQueryBuilder,
  type CapturedWriteSink,
} from './query-builder-capture';

/** Options of `logObjectChange`. */
export interface LogObjectChangeOptions {
  /** Object type, when `object` is a plain object rather than an instance of a `@SyncObject` entity. */
  readonly objectType?: string;
  /** Log inside this transaction (the host's); otherwise a transaction of its own. */
  readonly manager?: EntityManager;
  readonly user?: string;
}

/**
 * The change capture of a node. It sees every write of a `@SyncObject` entity made through TypeORM (save and
 * remove as a subscriber, every other repository, manager and query-builder write through
 * `captureQueryBuilderWrites`) and calls the `ObjectChangeListener`s in the same transaction (the outbox: no
 * change without its tasks, no task for a rolled-back change). Raw SQL is not seen: hosts that write with it, or
 * without TypeORM, call `logObjectChange`. docs/change-capture.md lists every write path.
 */
export class ObjectChanges implements EntitySubscriberInterface, CapturedWriteSink {
  /** Callbacks per transaction, with the savepoint depth they were registered at (rolled back with it). */
  private readonly pendingAfterCommit = new WeakMap<QueryRunner, { depth: number; fn: () => void }[]>();

  constructor(
    /** The synchronized entity types of the node's DataSource. */
    readonly types: ObjectTypes,
    private readonly serializer: ObjectSerializer,
    private readonly listeners: readonly ObjectChangeListener[],
    private readonly storage: Storage,
  ) {}

  /** Starts capturing TypeORM changes (the kernel calls this once). */
  install(dataSource: DataSource): void {
    if (this.listeners.length === 0) return;
    dataSource.subscribers.push(this);
    captureQueryBuilderWrites(dataSource, this);
  }

  /** Whether any listener would log a change of this type and task type in the current change scope. */
  wants(objectType: string, taskType: TaskType): boolean {
    const origin = currentChangeScope().origin;
    return this.listeners.some((l) => l.wantsChange?.(objectType, taskType, origin) !== false);
  }

  /** The snapshot of `entity` as its task carries it. */
  snapshot(info: ObjectTypeInfo, entity: ObjectLiteral, manager: EntityManager): Promise<ObjectSnapshot> {
    return this.serializer.snapshot(info, entity, manager);
  }

  /** Hands a captured change to the listeners, in `manager`'s transaction, with the current change scope. */
  dispatch(taskType: TaskType, snapshot: ObjectSnapshot, manager: EntityManager): Promise<void> {
    const scope = currentChangeScope();
    return this.dispatchChange({ taskType, snapshot, origin: scope.origin, user: scope.user }, manager);
  }

  /** Logs a change of an object made outside TypeORM; resolves once its tasks are written. */
  async logObjectChange(
    object: ObjectLiteral,
    taskType: TaskType,
    options: LogObjectChangeOptions = {},
  ): Promise<void> {
    const info = options.objectType ? this.types.find(options.objectType) : this.types.ofTarget(object);
    if (!info) {
      throw new ObjectApplyError(
        'UNKNOWN_OBJECT_TYPE',
        `Cannot log a change of ${options.objectType ? `'${options.objectType}'` : 'this object'}: ` +
          'it is not a @SyncObject entity; pass objectType or decorate the entity.',
      );
    }
    const run = async (manager: EntityManager) => {
      const snapshot = await this.serializer.snapshot(info, object, manager);
      await this.dispatchChange(
        {
          taskType,
          snapshot,
          user: options.user ?? currentChangeScope().user,
          origin: currentChangeScope().origin,
        },
        manager,
      );
    };
    if (options.manager) await run(options.manager);
    else await this.storage.transaction(run);
  }

  // The subscriber captures save() and remove(), whose events carry the objects; the events TypeORM raises for
  // query-builder writes carry only their values, and those writes are captured where they run.

  async afterInsert(event: InsertEvent<ObjectLiteral>): Promise<void> {
    if (isCapturedByQueryBuilder(event.entity)) return;
    await this.capture('create', event.metadata.target, event.entity, event.manager);
  }

  async afterUpdate(event: UpdateEvent<ObjectLiteral>): Promise<void> {
    if (!event.entity || !event.databaseEntity || isCapturedByQueryBuilder(event.entity)) return;
    if (!this.types.ofTarget(event.metadata.target)) return;
    // The stored row with only what this save changed: the saved object may hold placeholders for what it did
    // not mention (TypeORM fills a relation's foreign key column with null when the relation is absent).
    const after: ObjectLiteral = { ...event.databaseEntity };
    for (const column of event.updatedColumns)
      column.setEntityValue(after, column.getEntityValue(event.entity));
    for (const relation of event.updatedRelations) {
      const value = relation.getEntityValue(event.entity);
      if (value === undefined) continue; // changed through its foreign key column, set above
      after[relation.propertyName] = value;
      for (const join of relation.joinColumns) {
        if (join.propertyName !== relation.propertyName) delete after[join.propertyName];
      }
    }
    await this.capture('update', event.metadata.target, after, event.manager);
  }

  async beforeRemove(event: RemoveEvent<ObjectLiteral>): Promise<void> {
    if (!event.entity && !event.databaseEntity) {
      // An orphan removed by `orphanedRowAction: 'delete'` comes with its id only (a query-builder delete with
      // neither, and is captured where it runs).
      await this.captureStoredRow('delete', event.metadata.target, idOf(event), event.manager);
      return;
    }
    await this.capture(
      'delete',
      event.metadata.target,
      { ...event.databaseEntity, ...event.entity },
      event.manager,
    );
  }

  /** softRemove() and recover(): an update that sets or clears the delete date, as the stored row now has it. */
  async afterSoftRemove(event: SoftRemoveEvent<ObjectLiteral>): Promise<void> {
    await this.captureStoredRow('update', event.metadata.target, idOf(event), event.manager);
  }

  async afterRecover(event: RecoverEvent<ObjectLiteral>): Promise<void> {
    await this.captureStoredRow('update', event.metadata.target, idOf(event), event.manager);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    const callbacks = this.pendingAfterCommit.get(runner);
    if (!callbacks) return;
    if (runner.isTransactionActive) {
      // A savepoint was released: its work now belongs to the enclosing level, and rolls back only with that.
      const depth = depthOf(runner);
      for (const callback of callbacks) if (callback.depth > depth) callback.depth = depth;
      return;
    }
    this.pendingAfterCommit.delete(runner);
    for (const callback of callbacks) callback.fn();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    if (!runner.isTransactionActive) {
      this.pendingAfterCommit.delete(runner);
      return;
    }
    // A savepoint rolled back: forget what was registered inside it, keep what the outer levels registered.
    const depth = depthOf(runner);
    const kept = this.pendingAfterCommit.get(runner)?.filter((c) => c.depth <= depth);
    if (kept) this.pendingAfterCommit.set(runner, kept);
  }

  /** Captures `taskType` of the object whose primary key `entity` holds, as its row is stored now. */
  private async captureStoredRow(
    taskType: TaskType,
    target: Function | string,
    entity: ObjectLiteral | undefined,
    manager: EntityManager,
  ): Promise<void> {
    const info = this.types.ofTarget(target);
    if (!info || !entity || !this.wants(info.type, taskType)) return;
    const primary = info.metadata.primaryColumns;
    const [row] = await rowsWithKeys(manager, info.metadata, primary, [
      primary.map((c) => c.getEntityValue(entity)),
    ]);
    if (row)
      await this.dispatch(
        taskType,
        await this.snapshot(info, hydrate(manager, info.metadata, row), manager),
        manager,
      );
  }

  private async capture(
    taskType: TaskType,
    target: Function | string,
    entity: ObjectLiteral | undefined,
    manager: EntityManager,
  ) {
    const info = this.types.ofTarget(target);
    if (!info || !entity) return;
    if (!this.wants(info.type, taskType)) return;
    await this.dispatch(taskType, await this.snapshot(info, entity, manager), manager);
  }

  private async dispatchChange(change: ObjectChange, manager: EntityManager): Promise<void> {
    const runner = manager.queryRunner;
    const context: ChangeContext = {
      manager,
      afterCommit: (fn) => {
        if (runner?.isTransactionActive) {
          const list = this.pendingAfterCommit.get(runner) ?? [];
          list.push({ depth: depthOf(runner), fn });
          this.pendingAfterCommit.set(runner, list);
        } else {
          // Logged outside a transaction: the write has already committed.
          queueMicrotask(fn);
        }
      },
    };
    for (const listener of this.listeners) await listener.onObjectChange(change, context);
  }
}

/** The entity of a remove-like event, or a map of its primary key when TypeORM gives only its id (orphans). */
function idOf(event: RemoveEvent<ObjectLiteral>): ObjectLiteral | undefined {
  if (event.databaseEntity || event.entity) return event.databaseEntity ?? event.entity;
  const id = event.entityId as unknown;
  if (id === undefined || id === null) return undefined;
  return typeof id === 'object' ? (id as ObjectLiteral) : event.metadata.primaryColumns[0].createValueMap(id);
}

/** How many transactions (outermost plus savepoints) are open on a query runner. */
function depthOf(runner: QueryRunner): number {
  return (runner as unknown as { transactionDepth?: number }).transactionDepth ?? 1;
}
