// Opens a node's storage over an initialized DataSource: on SQLite the driver patches, pragmas, checkpointer and
// the read connection; the kernel only asks for it.
import type Database from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import type { Logger } from '../logging/logger';
import { QueueWakeups, WAKEUP_DEFAULTS } from '../queue/queue-wakeups';
import { loadDatabaseDriver } from './database-driver';
import type { DatabaseTarget } from './database-url';
import { SqliteCheckpointer } from './sqlite-checkpointer';
import { isolateSqliteTransactions } from './sqlite-isolation';
import { bindSqliteNumberParameters } from './sqlite-number-parameters';
import { Storage } from './storage';
import { WriteGate } from './write-gate';

/** The `database` settings storage needs. */
export interface StorageOptions {
  readonly busyTimeoutMs: number;
  /** Background checkpoint interval of the SQLite WAL; 0 leaves it to SQLite's own autocheckpoint. */
  readonly checkpointIntervalMs: number;
  readonly logger: Logger;
  /** This process's role, in the name of its PostgreSQL wake-up connection (`syncbus workers list`). */
  readonly role?: string;
}

/**
 * Wraps `dataSource` (initialized) as the node's `Storage`. SQLite: every transaction serialized through one
 * write gate taking the write lock at BEGIN, numbers bound as SQLite expects, the WAL checkpointed in the
 * background, and a second, read-only connection for reads that must not wait for the writer (`withSqlRead`).
 * PostgreSQL: the listening connection of cross-process wake-ups (`QueueWakeups`), opened on first use.
 */
export function openStorage(
  dataSource: DataSource,
  target: DatabaseTarget,
  options: StorageOptions,
): Storage {
  if (target.kind !== 'sqlite')
    return new Storage(
      dataSource,
      'postgres',
      undefined,
      new QueueWakeups(target.url, options.logger, { ...WAKEUP_DEFAULTS, role: options.role }),
    );
  const gate = new WriteGate(Math.max(30_000, options.busyTimeoutMs));
  isolateSqliteTransactions(dataSource, gate);
  bindSqliteNumberParameters(dataSource);
  const db = (dataSource.driver as unknown as { databaseConnection: Database.Database }).databaseConnection;
  let checkpointer: SqliteCheckpointer | undefined;
  let reader: Database.Database | undefined;
  if (target.file !== ':memory:') {
    if (options.checkpointIntervalMs > 0) {
      db.pragma(`wal_autocheckpoint = ${SqliteCheckpointer.safetyNetPages}`);
      // The log may grow to the safety net under a drain; when it restarts, it is cut back to this on disk.
      db.pragma(`journal_size_limit = ${SqliteCheckpointer.journalSizeLimitBytes}`);
      checkpointer = SqliteCheckpointer.start(target.file, {
        intervalMs: options.checkpointIntervalMs,
        busyTimeoutMs: options.busyTimeoutMs,
        logger: options.logger,
      });
    }
    // WAL lets this connection read the last commit while the writer's transaction is open; reading on the
    // writer's own connection would see that transaction's uncommitted rows.
    const SqliteDatabase = loadDatabaseDriver('sqlite');
    reader = new SqliteDatabase(target.file, {
      readonly: true,
      fileMustExist: true,
      timeout: options.busyTimeoutMs,
    });
  }
  const wakeups = new QueueWakeups(undefined, options.logger);
  return new Storage(dataSource, 'sqlite', { db, gate, checkpointer, reader }, wakeups);
}
