// Reads rows of a synchronized entity straight from its table, for writes that TypeORM makes without loading them.
import type { EntityManager, EntityMetadata, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

/** Rows per statement: well under SQLite's and PostgreSQL's parameter limits for any key width. */
const CHUNK = 400;

/** The table of `metadata`, escaped for its driver (schema-qualified where it has one). */
export function tableOf(manager: EntityManager, metadata: EntityMetadata): string {
  const driver = manager.connection.driver;
  return metadata.tablePath
    .split('.')
    .map((part) => driver.escape(part))
    .join('.');
}

/** An entity of `metadata` built from a raw row (database column names), values converted as TypeORM loads them. */
export function hydrate(manager: EntityManager, metadata: EntityMetadata, raw: ObjectLiteral): ObjectLiteral {
  const driver = manager.connection.driver;
  const entity = metadata.create(manager.queryRunner, { fromDeserializer: true }) as ObjectLiteral;
  for (const column of metadata.columns) {
    if (!(column.databaseName in raw)) continue;
    column.setEntityValue(entity, driver.prepareHydratedValue(raw[column.databaseName], column));
  }
  return entity;
}

/**
 * Raw rows of `metadata`'s table whose `columns` equal one of `keys` (each a tuple in the order of `columns`),
 * read in `manager`'s transaction; soft-deleted rows included.
 */
export async function rowsWithKeys(
  manager: EntityManager,
  metadata: EntityMetadata,
  columns: readonly ColumnMetadata[],
  keys: readonly (readonly unknown[])[],
): Promise<ObjectLiteral[]> {
  const driver = manager.connection.driver;
  const table = tableOf(manager, metadata);
  const names = columns.map((c) => driver.escape(c.databaseName));
  const rows: ObjectLiteral[] = [];
  for (let start = 0; start < keys.length; start += CHUNK) {
    const chunk = keys.slice(start, start + CHUNK);
    const params: unknown[] = [];
    const parameter = (value: unknown) => {
      params.push(value);
      return driver.createParameter(`key${params.length}`, params.length - 1);
    };
    const where =
      names.length === 1
        ? `${names[0]} IN (${chunk.map((key) => parameter(key[0])).join(', ')})`
        : chunk
            .map((key) => `(${names.map((name, i) => `${name} = ${parameter(key[i])}`).join(' AND ')})`)
            .join(' OR ');
    rows.push(...((await manager.query(`SELECT * FROM ${table} WHERE ${where}`, params)) as ObjectLiteral[]));
  }
  return rows;
}

/** The values of `columns` in a raw row, as a key tuple. */
export function keyOf(raw: ObjectLiteral, columns: readonly ColumnMetadata[]): unknown[] {
  return columns.map((c) => raw[c.databaseName]);
}
