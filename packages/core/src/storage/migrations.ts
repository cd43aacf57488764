// Runs the node's migrations so that processes starting together on one database take turns: without it both
// read "not run yet" and the second fails creating a table the first has just created.
import { SyncbusError } from '../errors';
import type { Storage } from './storage';

/** Longest a process waits for another one's migrations before it gives up. */
export const MIGRATION_LOCK_TIMEOUT_MS = 60_000;

/**
 * Runs pending migrations under a database-wide lock: on PostgreSQL a session advisory lock (its own key space,
 * apart from the claims' locks), on SQLite the write lock of one `BEGIN IMMEDIATE` transaction that holds every
 * migration, so the list of migrations already run is read under the lock too.
 */
export async function runMigrationsExclusively(storage: Storage): Promise<void> {
  const { dataSource } = storage;
  if (storage.kind === 'postgres') {
    const runner = dataSource.createQueryRunner();
    try {
      await runner.query(`SET lock_timeout = ${MIGRATION_LOCK_TIMEOUT_MS}`);
      try {
        await runner.query(`SELECT pg_advisory_lock(hashtext('syncbus'), hashtext('migrations'))`);
      } finally {
        await runner.query('RESET lock_timeout'); // the connection goes back to the pool
      }
      try {
        await dataSource.runMigrations({ transaction: 'each' });
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext('syncbus'), hashtext('migrations'))`);
      }
    } finally {
      await runner.release();
    }
    return;
  }
  const db = storage.sqlite!.db;
  const deadline = Date.now() + MIGRATION_LOCK_TIMEOUT_MS;
  // BEGIN IMMEDIATE waits up to the busy timeout for another writer; a long migration elsewhere takes longer.
  for (;;) {
    try {
      db.exec('BEGIN IMMEDIATE');
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
    }
  }
  try {
    await dataSource.runMigrations({ transaction: 'none' });
    db.exec('COMMIT');
  } catch (error) {
    if (db.inTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

/**
 * `database.synchronize`: creates or alters the tables of the entities no migration owns (the host's, passed to
 * `Kernel.boot`, and those of modules that bring no migrations) straight from their classes. Tables of modules with
 * migrations are left to them (they hold indexes, triggers and counters a synchronize cannot make), so both modes
 * give those modules the same schema.
 */
export async function synchronizeUnmigratedEntities(
  storage: Storage,
  migrated: ReadonlySet<unknown>,
): Promise<void> {
  const { dataSource } = storage;
  for (const metadata of dataSource.entityMetadatas) {
    if (migrated.has(metadata.target)) metadata.synchronize = false;
  }
  await dataSource.synchronize();
}

/**
 * For a node that must not change the schema (an administrative command): refuses, with `SCHEMA_NOT_MIGRATED`, a
 * database on which some of the node's migrations have not run (a new database has none).
 */
export async function refuseUnmigrated(storage: Storage): Promise<void> {
  const { dataSource } = storage;
  if (dataSource.migrations.length === 0) return;
  const runner = dataSource.createQueryRunner();
  let recorded: boolean;
  try {
    // TypeORM's own check creates its `migrations` table: look first, so a new database stays untouched.
    recorded = await runner.hasTable(dataSource.options.migrationsTableName ?? 'migrations');
  } finally {
    await runner.release();
  }
  if (recorded && !(await dataSource.showMigrations())) return;
  throw new SyncbusError(
    'SCHEMA_NOT_MIGRATED',
    `The database (${storage.kind}) is not migrated for this node's modules and plugins: run 'syncbus migrate' ` +
      '(or start the node, which migrates), then run this command again. Commands that manage rows never change ' +
      'the schema themselves.',
  );
}
