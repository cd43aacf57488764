// A receiver's creates as one parameterised INSERT per object, where no host code hooks into the entity's inserts.
import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { ObjectChanges } from './object-changes';
import { tableOf } from './object-rows';
import type { ObjectTypeInfo } from './object-types';

/** An entity's INSERT for one set of columns: its SQL, built once, and the columns in parameter order. */
interface InsertPlan {
  readonly sql: string;
  readonly columns: readonly ColumnMetadata[];
}

/**
 * TypeORM's `repository.insert` builds its statement per call and broadcasts subscriber events: in a profile of
 * the benchmark's staging receiver, 38 µs of each create, against 7 µs for the insert here. Where
 * nothing can observe the difference, this writes the same row with a statement built once per entity and set
 * of columns: the entity has no `@BeforeInsert`/`@AfterInsert` listener, no subscriber but syncbus's own change
 * capture listens to its inserts (and that capture would log nothing for this change), and it has no column
 * that TypeORM fills in by itself on insert (create and update dates, versions, generated uuids), no embedded
 * columns, no inheritance and no tree. Values go through the same `driver.preparePersistentValue` as TypeORM's,
 * from an entity built by `repository.create`, so class field initialisers count as they do there.
 */
export class PreparedInserts {
  /** Per entity: whether it qualifies (its hooks and columns, which do not change while the node runs). */
  private readonly eligible = new Map<Function | string, boolean>();
  private readonly plans = new Map<string, InsertPlan>();

  /**
   * Inserts the object `values` describe when nothing but this insert can tell it from TypeORM's; false, having
   * written nothing, when the caller must insert through TypeORM.
   */
  async insert(manager: EntityManager, info: ObjectTypeInfo, values: ObjectLiteral): Promise<boolean> {
    const { metadata } = info;
    if (!this.qualifies(manager, metadata)) return false;
    // syncbus's own capture is a subscriber too: it must have nothing to log for this change (a received change
    // that this node logs onward, say, goes through TypeORM so the capture sees it).
    for (const subscriber of manager.connection.subscribers) {
      if (subscriber instanceof ObjectChanges && subscriber.wants(info.type, 'create')) return false;
    }
    const entity = manager.getRepository(metadata.target).create(values) as ObjectLiteral;
    const driver = manager.connection.driver;
    const sqlite = driver.options.type === 'better-sqlite3';
    const columns: ColumnMetadata[] = [];
    const params: unknown[] = [];
    for (const column of metadata.columns) {
      if (!column.isInsert || column.isVirtual) continue;
      const value = column.getEntityValue(entity);
      // Left out, the database applies the column's default, as TypeORM's DEFAULT (or NULL) does.
      if (value === undefined) continue;
      const prepared = driver.preparePersistentValue(value, column);
      columns.push(column);
      // As the kernel binds TypeORM's own SQLite numbers: a safe integer as INTEGER (`bindSqliteNumberParameters`).
      params.push(
        sqlite && typeof prepared === 'number' && Number.isSafeInteger(prepared)
          ? BigInt(prepared)
          : prepared,
      );
    }
    const plan = this.plan(manager, metadata, columns);
    await manager.query(plan.sql, params);
    return true;
  }

  private qualifies(manager: EntityManager, metadata: EntityMetadata): boolean {
    let known = this.eligible.get(metadata.target);
    if (known === undefined) {
      known = qualifies(manager, metadata);
      this.eligible.set(metadata.target, known);
    }
    return known;
  }

  private plan(manager: EntityManager, metadata: EntityMetadata, columns: ColumnMetadata[]): InsertPlan {
    const key = `${metadata.tablePath}\u0000${columns.map((c) => c.databaseName).join('\u0000')}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const driver = manager.connection.driver;
      const names = columns.map((c) => driver.escape(c.databaseName)).join(', ');
      const slots = columns.map((c, i) => driver.createParameter(c.databaseName, i)).join(', ');
      plan = { sql: `INSERT INTO ${tableOf(manager, metadata)} (${names}) VALUES (${slots})`, columns };
      this.plans.set(key, plan);
    }
    return plan;
  }
}

/** Whether an INSERT of its columns writes what TypeORM's insert would, with nothing else to run. */
function qualifies(manager: EntityManager, metadata: EntityMetadata): boolean {
  if (metadata.beforeInsertListeners.length > 0 || metadata.afterInsertListeners.length > 0) return false;
  if (metadata.embeddeds.length > 0 || metadata.treeType || metadata.inheritancePattern) return false;
  if (metadata.discriminatorColumn || metadata.parentEntityMetadata) return false;
  const filledByTypeorm = metadata.columns.some(
    (c) =>
      c.isCreateDate ||
      c.isUpdateDate ||
      c.isVersion ||
      c.isTreeLevel ||
      (c.isGenerated && c.generationStrategy !== 'increment') ||
      c.transformer !== undefined,
  );
  if (filledByTypeorm) return false;
  // TypeORM's `Broadcaster` asks each subscriber the same way which entities it listens to.
  return !manager.connection.subscribers.some((subscriber) => {
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
