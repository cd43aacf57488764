// A receiver's creates as one parameterised INSERT per object, where no host code hooks into the entity's inserts.
import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ObjectChanges } from './object-changes';
import { tableOf } from './object-rows';
import type { ObjectTypeInfo } from './object-types';

/**
 * TypeORM's `repository.insert` builds its statement per call and broadcasts subscriber events: in a profile of
 * the benchmark's staging receiver, 38 µs of each create, against 7 µs for the insert here. Where nothing can
 * observe the difference, this writes the same row with a statement built once per entity and shape: the entity
 * has no `@BeforeInsert`/`@AfterInsert` listener and no column TypeORM fills in by itself on insert (create and
 * update dates, versions, generated uuids, transformers, spatial types), no embedded columns, inheritance or
 * tree; no subscriber but syncbus's own change capture listens to its inserts now, and that capture would log
 * nothing for this change. Otherwise it is TypeORM's INSERT, term by term (`InsertQueryBuilder`): the columns it
 * inserts, each value through `driver.preparePersistentValue` from an entity built by `repository.create` (class
 * field initialisers count), a missing value as `DEFAULT` (SQLite: the column's declared default, else NULL),
 * `jsonb(...)` around SQLite's jsonb values, and the parameters through the driver's own escaping.
 */
export class PreparedInserts {
  /** Per entity: its columns TypeORM inserts, or null when it does not qualify (fixed while the node runs). */
  private readonly entities = new Map<Function | string, readonly ColumnMetadata[] | null>();
  /** Statements by entity and shape (which columns have a value), built once. */
  private readonly statements = new Map<Function | string, Map<string, string>>();

  /**
   * Inserts the object `values` describe when nothing but this insert can tell it from TypeORM's; false, having
   * written nothing, when the caller must insert through TypeORM.
   */
  async insert(manager: EntityManager, info: ObjectTypeInfo, values: ObjectLiteral): Promise<boolean> {
    const { metadata } = info;
    const columns = this.columnsOf(manager, metadata);
    if (!columns || hooked(manager, metadata)) return false;
    // syncbus's own capture is a subscriber too: it must have nothing to log for this change (a received change
    // that this node logs onward goes through TypeORM, so the capture sees it).
    for (const subscriber of manager.connection.subscribers) {
      if (subscriber instanceof ObjectChanges && subscriber.wants(info.type, 'create')) return false;
    }
    const entity = manager.getRepository(metadata.target).create(values) as ObjectLiteral;
    const driver = manager.connection.driver;
    const parameters: Record<string, unknown> = {};
    let shape = '';
    for (const [index, column] of columns.entries()) {
      const value = driver.preparePersistentValue(column.getEntityValue(entity), column);
      if (typeof value === 'function') return false; // an SQL expression: TypeORM's to write
      if (value === undefined) {
        shape += '0';
        continue;
      }
      shape += '1';
      parameters[`p${index}`] = value;
    }
    const [sql, params] = driver.escapeQueryWithParameters(
      this.statement(manager, metadata, columns, shape),
      parameters,
    );
    await manager.query(sql, params);
    return true;
  }

  private columnsOf(manager: EntityManager, metadata: EntityMetadata): readonly ColumnMetadata[] | null {
    let columns = this.entities.get(metadata.target);
    if (columns === undefined) {
      columns = qualifies(manager, metadata) ? insertedColumns(manager, metadata) : null;
      this.entities.set(metadata.target, columns);
    }
    return columns;
  }

  /** `INSERT INTO t (columns) VALUES (...)` for one shape: a named parameter where there is a value. */
  private statement(
    manager: EntityManager,
    metadata: EntityMetadata,
    columns: readonly ColumnMetadata[],
    shape: string,
  ): string {
    // By entity, not table: two entities may map one table with different columns.
    let shapes = this.statements.get(metadata.target);
    if (!shapes) this.statements.set(metadata.target, (shapes = new Map()));
    let sql = shapes.get(shape);
    if (!sql) {
      const driver = manager.connection.driver as EntityManager['connection']['driver'] & {
        wrapWithJsonFunction?: (value: string, column: ColumnMetadata, jsonb?: boolean) => string;
      };
      const sqlite = driver.options.type === 'better-sqlite3';
      const terms = columns.map((column, index) => {
        if (shape[index] === '1') {
          const slot = `:p${index}`;
          return sqlite && driver.wrapWithJsonFunction
            ? driver.wrapWithJsonFunction(slot, column, true)
            : slot;
        }
        if (!sqlite) return 'DEFAULT';
        // SQLite has no DEFAULT in VALUES: TypeORM writes the column's declared default, else NULL.
        return column.default !== undefined && column.default !== null
          ? String(driver.normalizeDefault(column))
          : 'NULL';
      });
      const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
      sql = `INSERT INTO ${tableOf(manager, metadata)} (${names}) VALUES (${terms.join(', ')})`;
      shapes.set(shape, sql);
    }
    return sql;
  }
}

/** The columns TypeORM's insert writes (`InsertQueryBuilder.getInsertedColumns`, for one entity's values). */
function insertedColumns(manager: EntityManager, metadata: EntityMetadata): ColumnMetadata[] {
  const sqlite = manager.connection.driver.options.type === 'better-sqlite3';
  return metadata.columns.filter(
    (column) =>
      column.isInsert && !(column.isGenerated && column.generationStrategy === 'increment' && !sqlite),
  );
}

/** Whether nothing of the entity's own makes its insert more than its columns' values (fixed per entity). */
function qualifies(manager: EntityManager, metadata: EntityMetadata): boolean {
  if (metadata.beforeInsertListeners.length > 0 || metadata.afterInsertListeners.length > 0) return false;
  if (metadata.embeddeds.length > 0 || metadata.treeType || metadata.inheritancePattern) return false;
  if (metadata.discriminatorColumn || metadata.parentEntityMetadata) return false;
  const spatial = manager.connection.driver.spatialTypes as readonly unknown[];
  return !metadata.columns.some(
    (c) =>
      c.isCreateDate ||
      c.isUpdateDate ||
      c.isVersion ||
      c.isTreeLevel ||
      c.isDiscriminator ||
      (c.isGenerated && c.generationStrategy !== 'increment') ||
      c.transformer !== undefined ||
      spatial.includes(c.type),
  );
}

/**
 * Whether a host subscriber listens to the entity's inserts: asked on every insert, since a host may add
 * subscribers to the DataSource at any time, and TypeORM's `Broadcaster` asks each one the same way.
 */
function hooked(manager: EntityManager, metadata: EntityMetadata): boolean {
  return manager.connection.subscribers.some((subscriber) => {
    if (subscriber instanceof ObjectChanges) return false;
    if (!subscriber.beforeInsert && !subscriber.afterInsert) return false;
    const target = subscriber.listenTo?.();
    return (
      !target ||
      target === Object ||
      target === metadata.target ||
      (typeof metadata.target === 'function' && (target as Function).isPrototypeOf(metadata.target))
    );
  });
}
