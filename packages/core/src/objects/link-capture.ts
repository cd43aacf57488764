// Many-to-many links of synchronized objects: a change of join-table rows is an update of each owner whose links
// it changed (the owner's snapshot carries its whole list of links).
import type { EntityManager, EntityMetadata, ObjectLiteral, QueryRunner } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { rowsWithKeys } from './object-rows';
import type { ObjectTypeInfo } from './object-types';
import {
  logRows,
  rowsMatching,
  withReturning,
  type CapturedWriteSink,
  type WriteBuilder,
  type WriteResult,
  valueSetsOf,
} from './write-builder';

/**
 * A write of join-table rows (the relation query builder's `add`, `remove`, `set`): an update of every owner
 * whose links it changed, with the links as stored after it.
 */
export async function captureLinkWrite(
  kind: 'insert' | 'delete',
  builder: WriteBuilder,
  owner: ObjectTypeInfo,
  sink: CapturedWriteSink,
  manager: EntityManager,
  execute: () => Promise<WriteResult>,
): Promise<WriteResult> {
  const column = builder.expressionMap.mainAlias!.metadata.ownerColumns[0];
  let result: WriteResult;
  let links: ObjectLiteral[];
  if (kind === 'insert') {
    result = await execute();
    links = valueSetsOf(builder);
  } else if (manager.connection.driver.isReturningSqlSupported('delete')) {
    ({ result, rows: links } = await withReturning(
      builder,
      builder.expressionMap.mainAlias!.metadata,
      execute,
    ));
  } else {
    links = await rowsMatching(builder, manager, '*');
    result = await execute();
  }
  const keys = new Map<string, unknown>();
  for (const link of links) {
    const key = link[column.databaseName] ?? column.getEntityValue(link);
    if (key !== undefined && key !== null) keys.set(String(key), key);
  }
  const rows = await rowsWithKeys(
    manager,
    owner.metadata,
    [column.referencedColumn!],
    [...keys.values()].map((key) => [key]),
  );
  await logRows('update', rows, owner, sink, manager);
  return result;
}

/** The parts of TypeORM's `Subject` (one row of a save or remove) the capture reads. */
export interface SubjectLike {
  readonly metadata: EntityMetadata;
  readonly entity?: ObjectLiteral;
  readonly identifier?: ObjectLiteral;
  readonly changeMaps: readonly { column?: ColumnMetadata; value: unknown }[];
  readonly mustBeInserted: boolean;
  readonly mustBeUpdated: boolean;
  readonly mustBeRemoved: boolean;
}

export interface SubjectExecutorLike {
  readonly queryRunner: QueryRunner;
  readonly allSubjects: readonly SubjectLike[];
  readonly options?: { listeners?: boolean };
}

/**
 * A save that only links or unlinks objects of a many-to-many relation writes join-table rows and raises no
 * event for the owning object: log an update of each such owner (its snapshot reads the links as stored now).
 * Owners saved or removed in the same run already have their task.
 */
export async function logLinkChanges(
  subjects: readonly SubjectLike[],
  sink: CapturedWriteSink,
  manager: EntityManager,
): Promise<void> {
  const owners = new Map<ObjectTypeInfo, Map<string, unknown>>();
  for (const subject of subjects) {
    const junction = subject.metadata.isJunction ? sink.types.ofJunction(subject.metadata) : undefined;
    if (!junction) continue;
    const column = subject.metadata.ownerColumns[0];
    const key = junctionOwnerKey(subject, column);
    if (key === undefined || key === null) continue;
    const keys = owners.get(junction.info) ?? new Map<string, unknown>();
    keys.set(String(key), key);
    owners.set(junction.info, keys);
  }
  for (const [info, keys] of owners) {
    if (!sink.wants(info.type, 'update')) continue;
    // Join tables reference the owner's primary key (TypeORM's default for a @JoinTable).
    const primary = info.metadata.primaryColumns[0];
    const logged = new Set(
      subjects
        .filter(
          (s) => s.metadata === info.metadata && (s.mustBeInserted || s.mustBeUpdated || s.mustBeRemoved),
        )
        .map((s) => String(primary.getEntityValue(s.entity ?? s.identifier ?? {}))),
    );
    const pending = [...keys].filter(([text]) => !logged.has(text)).map(([, key]) => [key]);
    if (pending.length === 0) continue;
    const rows = await rowsWithKeys(manager, info.metadata, [primary], pending);
    await logRows('update', rows, info, sink, manager);
  }
}

/** The owner's key in a join-table row being inserted (its change map) or removed (its identifier). */
function junctionOwnerKey(subject: SubjectLike, column: ColumnMetadata): unknown {
  const fromIdentifier = subject.identifier ? column.getEntityValue(subject.identifier) : undefined;
  if (fromIdentifier !== undefined) return fromIdentifier;
  let value = subject.changeMaps.find((change) => change.column === column)?.value;
  if (value && typeof value === 'object' && 'metadata' in value && 'entity' in value) {
    value = (value as SubjectLike).entity; // a Subject of the same save
  }
  return value && typeof value === 'object'
    ? column.referencedColumn!.getEntityValue(value as ObjectLiteral)
    : value;
}
