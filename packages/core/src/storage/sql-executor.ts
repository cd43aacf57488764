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
  const executor: SqlExecutor = {
    kind: 'postgres',
    all: async <R>(sql: string, params: readonly unknown[] = []) =>
      (await runner.query(toPostgres(sql), [...params])) as R[],
    run: async (sql, params = []) => {
      const result = await runner.query(toPostgres(sql), [...params], true);
      return result.affected ?? 0;
    },
    in: () => '= ANY(?)',
    inParams: (list) => [[...list]],
  };
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
  const query = async (sql: string, params: readonly unknown[]) => {
    const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
    try {
      return await runner.query(toPostgres(sql), [...params], true);
    } finally {
      if (!manager.queryRunner) await runner.release();
    }
  };
  return {
    kind: 'postgres',
    all: async <R>(sql: string, params: readonly unknown[] = []) => (await query(sql, params)).records as R[],
    run: async (sql, params = []) => (await query(sql, params)).affected ?? 0,
    in: () => '= ANY(?)',
    inParams: (list) => [[...list]],
  };
}
