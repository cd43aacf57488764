// Gives each TypeORM caller its own SQLite query runner and serializes their work through a WriteGate.
import type { DataSource, QueryRunner } from 'typeorm';
import type { WriteGate } from './write-gate';

/**
 * TypeORM 1.x's better-sqlite3 driver hands every caller one shared QueryRunner, so a second concurrent
 * `transaction()` becomes a SAVEPOINT inside the first and commits or rolls back with it. This installs a
 * runner per caller (sharing the prepared-statement cache) whose outermost transaction holds `gate`.
 * A statement run outside a transaction holds the gate for its own duration: on the one connection it would
 * otherwise join whichever transaction is open (and vanish with its rollback), or read its uncommitted rows.
 */
export function isolateSqliteTransactions(dataSource: DataSource, gate: WriteGate): void {
  const driver = dataSource.driver as any;
  const shared = driver.createQueryRunner('master') as any;
  const RunnerClass = shared.constructor as new (driver: unknown) => QueryRunner;
  const statementCache: Map<string, unknown> = shared.stmtCache;

  driver.createQueryRunner = () => {
    const runner = new RunnerClass(driver) as any;
    runner.stmtCache = statementCache;
    let release: (() => void) | undefined;
    const start = runner.startTransaction.bind(runner);
    const commit = runner.commitTransaction.bind(runner);
    const rollback = runner.rollbackTransaction.bind(runner);
    const query = runner.query.bind(runner);
    const settle = () => {
      if (runner.transactionDepth === 0 && release) {
        release();
        release = undefined;
      }
    };
    runner.startTransaction = async (level?: unknown) => {
      if (runner.transactionDepth === 0 && !release) release = await gate.acquire();
      try {
        await start(level);
      } catch (error) {
        settle();
        throw error;
      }
    };
    runner.commitTransaction = async () => {
      try {
        await commit();
      } finally {
        settle();
      }
    };
    runner.rollbackTransaction = async () => {
      try {
        await rollback();
      } finally {
        settle();
      }
    };
    runner.query = (sql: string, parameters?: unknown[], structured?: boolean) =>
      release ? query(sql, parameters, structured) : gate.run(() => query(sql, parameters, structured));
    return runner;
  };
}
