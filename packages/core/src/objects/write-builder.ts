// TypeORM's write query builders as the change capture uses them: the rows a builder's statement touches, and
// logging a task per row.
import type { DataSource, EntityManager, EntityMetadata, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { ObjectSnapshot, TaskType } from './object-change';
import { hydrate } from './object-rows';
import type { ObjectTypeInfo, ObjectTypes } from './object-types';

/** What the capture hands its changes to (the node's `ObjectChanges`). */
export interface CapturedWriteSink {
  readonly types: ObjectTypes;
  /** False when no listener would log a change of this type and task type (then nothing is read or written). */
  wants(objectType: string, taskType: TaskType): boolean;
  snapshot(info: ObjectTypeInfo, entity: ObjectLiteral, manager: EntityManager): Promise<ObjectSnapshot>;
  dispatch(taskType: TaskType, snapshot: ObjectSnapshot, manager: EntityManager): Promise<void>;
}

/** The parts of TypeORM's (protected) query builder API the capture uses. */
export interface WriteBuilder {
  readonly dataSource: DataSource;
  readonly expressionMap: {
    queryType: string;
    mainAlias?: { hasMetadata: boolean; metadata: EntityMetadata };
    callListeners: boolean;
    valuesSet?: ObjectLiteral | ObjectLiteral[];
    onUpdate?: { conflict?: unknown; columns?: unknown; overwrite?: unknown };
    returning?: string | string[];
  };
  queryRunner?: QueryRunner;
  clone(): WriteBuilder;
  setQueryRunner(runner: QueryRunner): unknown;
  createWhereExpression(): string;
  getMainTableName(): string;
  getTableName(name: string): string;
  getParameters(): ObjectLiteral;
  replacePropertyNamesForTheWholeQuery(sql: string): string;
}

export type WriteResult = {
  raw?: unknown;
  generatedMaps?: ObjectLiteral[];
};
export type Execute = (this: WriteBuilder) => Promise<WriteResult>;
export type WriteKind = 'insert' | 'update' | 'delete';

/** The rows an insert builder writes (its value sets), as a list. */
export function valueSetsOf(builder: WriteBuilder): ObjectLiteral[] {
  const values = builder.expressionMap.valuesSet;
  return Array.isArray(values) ? values : values ? [values] : [];
}

/** Logs one task per row (raw, by column name), in primary-key order. */
export async function logRows(
  taskType: TaskType,
  rows: readonly ObjectLiteral[],
  info: ObjectTypeInfo,
  sink: CapturedWriteSink,
  manager: EntityManager,
): Promise<void> {
  for (const row of sortByKey(rows, info.metadata.primaryColumns)) {
    const entity = hydrate(manager, info.metadata, row);
    await sink.dispatch(taskType, await sink.snapshot(info, entity, manager), manager);
  }
}

/** Rows in the order of their key columns (numbers numerically, the rest as text). */
export function sortByKey(
  rows: readonly ObjectLiteral[],
  columns: readonly ColumnMetadata[],
): ObjectLiteral[] {
  const compare = (a: unknown, b: unknown) =>
    typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
  return [...rows].sort((a, b) => {
    for (const column of columns) {
      const order = compare(a[column.databaseName], b[column.databaseName]);
      if (order !== 0) return order;
    }
    return 0;
  });
}

/** Raw rows of the builder's table that its WHERE matches, in its transaction: `SELECT <select> FROM t WHERE ...`. */
export async function rowsMatching(
  builder: WriteBuilder,
  manager: EntityManager,
  select: string,
): Promise<ObjectLiteral[]> {
  const probe = builder.clone();
  const sql = probe.replacePropertyNamesForTheWholeQuery(
    `SELECT ${select} FROM ${probe.getTableName(probe.getMainTableName())}${probe.createWhereExpression()}`,
  );
  const [query, parameters] = manager.connection.driver.escapeQueryWithParameters(sql, probe.getParameters());
  return (await manager.query(query, parameters)) as ObjectLiteral[];
}

/**
 * Runs the builder with every column of the entity added to its RETURNING clause, and gives the host the result
 * it would have had without them.
 */
export async function withReturning(
  builder: WriteBuilder,
  metadata: EntityMetadata,
  execute: () => Promise<WriteResult>,
): Promise<{ result: WriteResult; rows: ObjectLiteral[] }> {
  const map = builder.expressionMap;
  const hostReturning = map.returning;
  const paths = [...new Set(metadata.columns.map((c) => c.propertyPath))];
  if (typeof hostReturning === 'string') {
    const driver = builder.dataSource.driver;
    map.returning = [hostReturning, ...metadata.columns.map((c) => driver.escape(c.databaseName))].join(', ');
  } else {
    map.returning = [...new Set([...(hostReturning ?? []), ...paths])];
  }
  try {
    const result = await execute();
    const rows = (Array.isArray(result.raw) ? result.raw : []) as ObjectLiteral[];
    if (hostReturning === undefined || hostReturning.length === 0) result.raw = [];
    return { result, rows };
  } finally {
    map.returning = hostReturning;
  }
}
