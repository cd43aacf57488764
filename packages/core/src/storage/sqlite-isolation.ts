// Gives each TypeORM caller its own SQLite query runner and serializes their work through a WriteGate.
import type { DataSource, QueryRunner } from 'typeorm';
import { SyncbusError } from '../errors';
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
    // On a storage fault (a full disk, an I/O error) SQLite rolls the whole transaction back itself, and then the
    // COMMIT or ROLLBACK TypeORM sends fails too, before TypeORM lowers its transaction depth: without this the
    // runner would think itself inside a transaction for ever and hold the gate, wedging the node.
    const lost = () => runner.transactionDepth > 0 && !driver.databaseConnection.inTransaction;
    const forget = () => {
      runner.transactionDepth = 0;
      runner.isTransactionActive = false;
    };
    runner.startTransaction = async (level?: unknown) => {
      if (runner.transactionDepth === 0 && !release) release = await gate.acquire();
      try {
        await start(level);
      } catch (error) {
        if (lost()) forget();
        settle();
        throw error;
      }
    };
    runner.commitTransaction = async () => {
      try {
        await commit();
      } catch (error) {
        if (lost()) forget();
        throw error;
      } finally {
        settle();
      }
    };
    runner.rollbackTransaction = async () => {
      try {
        await rollback();
      } catch (error) {
        // Nothing of the transaction is left, which is what a rollback asks for.
        if (!lost()) throw error;
        forget();
      } finally {
        settle();
      }
    };
    runner.query = (sql: string, parameters?: unknown[], structured?: boolean) => {
      if (!release) return gate.run(() => query(sql, parameters, structured));
      // TypeORM begins deferred: a transaction that reads, then writes, fails at once with SQLITE_BUSY (no busy
      // wait) when another process (a CLI command next to a running node) wrote in between. Taking the write lock
      // at BEGIN makes it wait its turn within the busy timeout instead.
      if (sql === 'BEGIN TRANSACTION') return query('BEGIN IMMEDIATE TRANSACTION', parameters, structured);
      if (lost()) {
        // The rest of a transaction SQLite already rolled back would otherwise run as separate autocommits.
        return Promise.reject(
          new SyncbusError(
            'TRANSACTION_ABORTED',
            'SQLite rolled this transaction back after a storage error (for example a full disk); nothing of it ' +
              'was kept. Free the space or fix the fault, then retry the whole transaction.',
          ),
        );
      }
      return query(sql, parameters, structured);
    };
    return runner;
  };
}
