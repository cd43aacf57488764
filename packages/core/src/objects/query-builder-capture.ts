// Captures the writes TypeORM makes through its query builders (insert, upsert, update, increment, delete, soft
// delete, restore: every repository and manager call except save/remove), whose subscriber events carry neither
// the objects they touch nor, outside a transaction, a transaction to log them in.
import {
  DeleteQueryBuilder,
  InsertQueryBuilder,
  UpdateQueryBuilder,
  type DataSource,
  type EntityManager,
  type QueryRunner,
} from 'typeorm';
import { SubjectExecutor } from 'typeorm/persistence/SubjectExecutor';
import { SoftDeleteQueryBuilder } from 'typeorm/query-builder/SoftDeleteQueryBuilder';
import { SyncbusError } from '../errors';
import { ChangeCaptureError } from './change-capture-error';
import { captureLinkWrite, logLinkChanges, type SubjectExecutorLike } from './link-capture';
import type { ObjectSnapshot, TaskType } from './object-change';
import { hydrate, keyOf, rowsWithKeys } from './object-rows';
import type { ObjectTypeInfo } from './object-types';
import {
  logRows,
  rowsMatching,
  sortByKey,
  withReturning,
  type CapturedWriteSink,
  type Execute,
  type WriteBuilder,
  type WriteKind,
  type WriteResult,
  valueSetsOf,
} from './write-builder';

export type { CapturedWriteSink } from './write-builder';

const sinks = new WeakMap<DataSource, CapturedWriteSink>();
/** Query runners inside a save()/remove(): their statements are captured by the subscriber, not here. */
const persisting = new WeakMap<QueryRunner, number>();
/** Value sets of builders captured here: the subscriber events TypeORM raises for them are already handled. */
const captured = new WeakSet<object>();
let patched = false;

/** Whether a subscriber event's entity belongs to a query-builder write that this capture logs. */
export function isCapturedByQueryBuilder(entity: unknown): boolean {
  return typeof entity === 'object' && entity !== null && captured.has(entity);
}

/**
 * Captures every query-builder write of `dataSource`'s synchronized entities into `sink`. TypeORM's builders are
 * patched once per process (they are shared by every DataSource); a DataSource without a sink is left alone.
 */
export function captureQueryBuilderWrites(dataSource: DataSource, sink: CapturedWriteSink): void {
  sinks.set(dataSource, sink);
  if (patched) return;
  patched = true;
  patchBuilder(InsertQueryBuilder.prototype, 'insert');
  patchBuilder(UpdateQueryBuilder.prototype, 'update');
  patchBuilder(SoftDeleteQueryBuilder.prototype, 'update');
  patchBuilder(DeleteQueryBuilder.prototype, 'delete');
  patchSubjectExecutor();
}

function patchBuilder(prototype: object, kind: WriteKind): void {
  const target = prototype as { execute: Execute };
  const original = target.execute;
  target.execute = function (this: WriteBuilder) {
    const sink = sinks.get(this.dataSource);
    const alias = this.expressionMap.mainAlias;
    if (!sink || !alias?.hasMetadata) return original.call(this);
    // save() and remove() run their statements with listeners off and raise the events themselves.
    if (!this.expressionMap.callListeners && this.queryRunner && persisting.has(this.queryRunner))
      return original.call(this);
    const info = sink.types.ofTarget(alias.metadata.target);
    const junction = info ? undefined : sink.types.ofJunction(alias.metadata);
    const taskType = taskTypeOf(kind, this);
    if (
      info
        ? !sink.wants(info.type, taskType)
        : !junction || kind === 'update' || !sink.wants(junction.info.type, 'update')
    )
      return original.call(this);
    // The host's own statement fails as it would without syncbus; a failure to log its tasks names the write.
    let statementError: unknown;
    const execute = () =>
      original.call(this).catch((error: unknown) => {
        statementError = error;
        throw error;
      });
    return inTransaction(this, (manager) =>
      info
        ? captureWrite(kind, taskType, this, info, sink, manager, execute)
        : captureLinkWrite(kind as 'insert' | 'delete', this, junction!.info, sink, manager, execute),
    ).catch((error: unknown) => {
      if (error === statementError || error instanceof SyncbusError) throw error;
      throw new ChangeCaptureError(
        'CAPTURE_FAILED',
        alias.metadata.name,
        this.expressionMap.queryType,
        `its task could not be logged, so the write was not made (${(error as Error)?.message ?? error}). ` +
          'Check that the database is writable and syncbus migrations have run, then retry.',
        { cause: error },
      );
    });
  };
}

function taskTypeOf(kind: WriteKind, builder: WriteBuilder): TaskType {
  if (kind === 'delete') return 'delete';
  if (kind === 'update') return 'update';
  const upsert = builder.expressionMap.onUpdate;
  // An upsert may have updated an existing object: log it as an update (the target creates it when missing).
  return upsert && (upsert.overwrite || upsert.columns || upsert.conflict) ? 'update' : 'create';
}

/**
 * Runs `fn` in a transaction of its own: TypeORM runs these calls as a single statement without one, and the
 * change must commit with its tasks. Inside the host's transaction it is a savepoint, so a statement whose tasks
 * could not be logged is undone even if the host catches the error and commits.
 */
async function inTransaction<T>(
  builder: WriteBuilder,
  fn: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = builder.queryRunner;
  if (!runner) {
    return builder.dataSource.transaction(async (manager) => {
      builder.setQueryRunner(manager.queryRunner!);
      try {
        return await fn(manager);
      } finally {
        builder.queryRunner = undefined;
      }
    });
  }
  await runner.startTransaction();
  try {
    const result = await fn(runner.manager);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    await runner.rollbackTransaction();
    throw error;
  }
}

async function captureWrite(
  kind: WriteKind,
  taskType: TaskType,
  builder: WriteBuilder,
  info: ObjectTypeInfo,
  sink: CapturedWriteSink,
  manager: EntityManager,
  execute: () => Promise<WriteResult>,
): Promise<WriteResult> {
  const valueSets = valueSetsOf(builder);
  for (const valueSet of valueSets) captured.add(valueSet);
  if (kind === 'insert') {
    const identity = info.metadata.findColumnWithPropertyName(info.options.identity)!;
    if (!identity.isGenerated && valueSets.some((v) => identity.getEntityValue(v) == null)) {
      throw new ChangeCaptureError(
        'CAPTURE_NO_IDENTITY',
        info.metadata.name,
        builder.expressionMap.onUpdate ? 'upsert' : 'insert',
        `a row without its identity '${info.options.identity}' cannot be synchronized; give every row one.`,
      );
    }
    const result = await execute();
    const identities = valueSets.map(
      (v, i) => identity.getEntityValue(v) ?? identity.getEntityValue(result.generatedMaps?.[i] ?? {}),
    );
    const rows = await rowsWithKeys(
      manager,
      info.metadata,
      [identity],
      identities.map((value) => [value]),
    );
    await logRows(taskType, rows, info, sink, manager);
    return result;
  }
  const primary = info.metadata.primaryColumns;
  if (manager.connection.driver.isReturningSqlSupported(kind)) {
    // RETURNING names exactly the rows the statement changed, even those another transaction committed a moment
    // before it ran (a SELECT first would miss them under READ COMMITTED).
    const { result, rows } = await withReturning(builder, info.metadata, execute);
    await logRows(taskType, rows, info, sink, manager);
    return result;
  }
  // SQLite: the node's one connection and its write gate serialize every write, so the rows the criteria match
  // now are the rows the statement changes.
  if (kind === 'delete') {
    const rows = await rowsMatching(builder, manager, '*');
    const snapshots: ObjectSnapshot[] = [];
    for (const row of sortByKey(rows, primary)) {
      snapshots.push(await sink.snapshot(info, hydrate(manager, info.metadata, row), manager));
    }
    const result = await execute();
    for (const snapshot of snapshots) await sink.dispatch(taskType, snapshot, manager);
    return result;
  }
  const driver = manager.connection.driver;
  const keys = await rowsMatching(
    builder,
    manager,
    primary.map((c) => driver.escape(c.databaseName)).join(', '),
  );
  const result = await execute();
  const rows = await rowsWithKeys(
    manager,
    info.metadata,
    primary,
    keys.map((row) => keyOf(row, primary)),
  );
  await logRows(taskType, rows, info, sink, manager);
  return result;
}

/**
 * save() and remove() of synchronized entities: their statements are marked as the subscriber's to capture; one
 * run without a transaction (`{ transaction: false }`) gets one, and one with listeners off, which would log
 * nothing, is refused.
 */
function patchSubjectExecutor(): void {
  const prototype = SubjectExecutor.prototype as unknown as {
    execute(this: SubjectExecutorLike): Promise<void>;
  };
  const original = prototype.execute;
  prototype.execute = async function (this: SubjectExecutorLike) {
    const runner = this.queryRunner;
    const sink = sinks.get(runner.connection);
    const staged = sink && this.allSubjects.find((s) => sink.types.ofTarget(s.metadata.target));
    if (!staged) return original.call(this);
    if (this.options?.listeners === false) {
      throw new ChangeCaptureError(
        'CAPTURE_LISTENERS_OFF',
        staged.metadata.name,
        'save/remove',
        'with { listeners: false } no task can be logged for it; leave listeners on for synchronized entities.',
      );
    }
    const started = !runner.isTransactionActive;
    if (started) await runner.startTransaction();
    persisting.set(runner, (persisting.get(runner) ?? 0) + 1);
    try {
      await original.call(this);
      await logLinkChanges(this.allSubjects, sink, runner.manager);
      if (started) await runner.commitTransaction();
    } catch (error) {
      if (started) await runner.rollbackTransaction();
      throw error;
    } finally {
      const depth = persisting.get(runner)! - 1;
      if (depth === 0) persisting.delete(runner);
      else persisting.set(runner, depth);
    }
  };
}
