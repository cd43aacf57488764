// Parameterised SQL in one transaction on either engine, for hot paths that drop below the ORM.
import type { Database, Statement } from 'better-sqlite3';
import type { EntityManager } from 'typeorm';
import { SyncbusError } from '../errors';
import type { Storage } from './storage';

/** Runs parameterised SQL written with `?` placeholders (rewritten to `$n` on PostgreSQL). */
export interface SqlExecutor {
  readonly kind: Storage['kind'];
  /** Rows of a SELECT (or a statement with RETURNING). */
  all<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement; resolves with the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** `IN (...)` for a list: `IN (?,?,?)` on SQLite, `= ANY(?)` on PostgreSQL; pass `inParams(list)` as params. */
  in(list: readonly unknown[]): string;
  inParams(list: readonly unknown[]): unknown[];
  /**
   * A list as a table of one column, `value`, bound as ONE parameter whatever its length (one prepared statement
   * for every batch size): `INSERT ... SELECT ?, value FROM ${sql.each('text')}` with `sql.eachParam(list)`.
   */
  each(type: 'text' | 'bigint'): string;
  eachParam(list: readonly (string | number)[]): unknown;
  /**
   * A list of records as a table of one column, `value`, bound as ONE parameter: read a field as text with
   * `value ->> 'name'`, a field holding an object as its JSON text with `CAST(value -> 'name' AS text)` (the
   * same on both engines). `INSERT ... SELECT value ->> 'a' FROM ${sql.eachRow()}` with `sql.eachRowParam(rows)`.
   */
  eachRow(): string;
  /** The one parameter of `eachRow()`: the records as JSON. */
  eachRowParam(rows: readonly Readonly<Record<string, unknown>>[]): unknown;
}

/** The list-as-table pieces of a PostgreSQL executor (also for statements built for the queue's batch function). */
export const POSTGRES_LISTS = {
  in: () => '= ANY(?)',
  inParams: (list: readonly unknown[]) => [[...list]],
  each: (type: 'text' | 'bigint') => `unnest(?::${type}[]) AS each(value)`,
  eachParam: (list: readonly (string | number)[]) => [...list],
  eachRow: () => 'jsonb_array_elements(CAST(? AS jsonb)) AS each(value)',
  eachRowParam: (rows: readonly Readonly<Record<string, unknown>>[]) => JSON.stringify(rows),
} as const;

/** A PostgreSQL executor over one way to query (a query runner, the pool). */
function postgresExecutor(
  query: (sql: string, params: unknown[]) => Promise<{ records: unknown[]; affected?: number }>,
): SqlExecutor {
  return {
    kind: 'postgres',
    all: async <R>(sql: string, params: readonly unknown[] = []) =>
      (await query(toPostgres(sql), [...params])).records as R[],
    run: async (sql, params = []) => (await query(toPostgres(sql), [...params])).affected ?? 0,
    ...POSTGRES_LISTS,
  };
}

const statementCache = new WeakMap<object, Map<string, Statement>>();

function sqliteExecutor(db: Database): SqlExecutor {
  let cache = statementCache.get(db);
  if (!cache) statementCache.set(db, (cache = new Map()));
  const prepare = (sql: string) => {
    let statement = cache!.get(sql);
    if (!statement) cache!.set(sql, (statement = db.prepare(sql)));
    return statement;
  };
  return {
    kind: 'sqlite',
    all: async <R>(sql: string, params: readonly unknown[] = []) => prepare(sql).all(...params) as R[],
    run: async (sql, params = []) => prepare(sql).run(...params).changes,
    in: (list) => `IN (${list.map(() => '?').join(',') || 'NULL'})`,
    inParams: (list) => [...list],
    each: () => 'json_each(?)',
    eachParam: (list) => JSON.stringify(list),
    eachRow: () => 'json_each(?)',
    eachRowParam: (rows) => JSON.stringify(rows),
  };
}

function toPostgres(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * Runs `fn` in one transaction with a `SqlExecutor`. On SQLite it holds the node's write gate and uses the raw
 * better-sqlite3 connection with cached prepared statements (measured: several times the ORM's throughput);
 * on PostgreSQL it uses a pooled TypeORM query runner.
 */
export async function withSqlTransaction<T>(
  storage: Storage,
  fn: (sql: SqlExecutor) => Promise<T>,
): Promise<T> {
  if (storage.sqlite) {
    const { db, gate } = storage.sqlite;
    const executor = sqliteExecutor(db);
    return gate.run(async () => {
      db.exec('BEGIN IMMEDIATE');
      try {
        const result = await fn(executor);
        db.exec('COMMIT');
        return result;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    });
  }
  const runner = storage.dataSource.createQueryRunner();
  await runner.connect();
  const executor = postgresExecutor((sql, params) => runner.query(sql, params, true));
  try {
    await runner.startTransaction();
    const result = await fn(executor);
    await runner.commitTransaction();
    return result;
  } catch (error) {
    if (runner.isTransactionActive) await runner.rollbackTransaction();
    throw error;
  } finally {
    await runner.release();
  }
}

const refuseWrite = (): Promise<number> =>
  Promise.reject(new SyncbusError('READ_ONLY', 'withSqlRead runs reads only; write in withSqlTransaction.'));

/**
 * Runs `fn`'s reads of committed state without taking the write gate or opening a transaction: on SQLite on the
 * read-only connection (a `:memory:` database has none and reads through `withSqlTransaction`), on PostgreSQL on
 * the pool. Each statement sees the last commit; reads that must agree with each other belong in one transaction.
 */
export async function withSqlRead<T>(storage: Storage, fn: (sql: SqlExecutor) => Promise<T>): Promise<T> {
  if (storage.sqlite) {
    const { reader } = storage.sqlite;
    return reader ? fn({ ...sqliteExecutor(reader), run: refuseWrite }) : withSqlTransaction(storage, fn);
  }
  const { dataSource } = storage;
  return fn({
    ...postgresExecutor(async (sql, params) => ({ records: await dataSource.query(sql, params) })),
    run: refuseWrite,
  });
}

/**
 * A `SqlExecutor` inside the transaction `manager` already runs (a TypeORM subscriber's, a host's), for hot paths
 * that write alongside a change and must commit or roll back with it. It opens no transaction of its own. On
 * SQLite it uses the raw connection with cached prepared statements (the manager's transaction is on that same
 * connection); on PostgreSQL the manager's query runner.
 */
export function sqlExecutorFor(storage: Storage, manager: EntityManager): SqlExecutor {
  // Outside a transaction the raw SQLite connection could be inside another caller's transaction: refuse.
  if (!manager.queryRunner?.isTransactionActive) {
    throw new SyncbusError(
      'NO_TRANSACTION',
      'sqlExecutorFor needs the manager of an open transaction; use withSqlTransaction to open one.',
    );
  }
  if (storage.sqlite) return sqliteExecutor(storage.sqlite.db);
  return postgresExecutor(async (sql, params) => {
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await runner.query(sql, params, true);
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
  });
}
