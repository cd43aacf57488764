// Builds the one TypeORM DataSource of a node from its database URL, with the entities and migrations modules add.
import { existsSync, mkdirSync, statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import { SyncbusError } from '../errors';
import { loadDatabaseDriver } from './database-driver';
import type { DatabaseTarget } from './database-url';

/** Kernel filesystems no database file can live on (`statfs` types of procfs and sysfs). */
const PSEUDO_FILESYSTEMS = new Map([
  [0x9fa0, 'procfs'],
  [0x62656572, 'sysfs'],
]);

/** What the kernel collected from modules for the DataSource. */
export interface DataSourceContributions {
  readonly entities: MixedList<Function | string | EntitySchema>;
  readonly migrations: MixedList<Function | string>;
  readonly busyTimeoutMs: number;
  readonly poolSize: number;
}

/**
 * Creates (not yet initialized) the DataSource. SQLite runs in WAL mode with `synchronous=NORMAL` (durable at
 * checkpoints, and the measured fast setting) and a busy timeout, so readers never block the writer. The engine's
 * driver is loaded here and handed to TypeORM, so a missing one is `DATABASE_DRIVER_MISSING` saying what to install.
 */
export function createDataSource(target: DatabaseTarget, contributions: DataSourceContributions): DataSource {
  const common = {
    entities: contributions.entities,
    migrations: contributions.migrations,
    migrationsRun: false,
    // Schema changes come from migrations, and for `database.synchronize` from synchronizeUnmigratedEntities.
    synchronize: false,
    logging: false,
  } as const;
  let options: DataSourceOptions;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') prepareFolder(target.file);
    options = {
      ...common,
      type: 'better-sqlite3',
      driver: loadDatabaseDriver('sqlite'),
      database: target.file,
      timeout: contributions.busyTimeoutMs,
      // One cache shared by every caller's query runner (see sqlite-isolation): TypeORM's default of 100 thrashes
      // once staging, integration and the host's own queries are all in use (measured on the staging receiver).
      statementCacheSize: 1000,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
        db.pragma('foreign_keys = ON');
      },
    };
  } else {
    options = {
      ...common,
      type: 'postgres',
      driver: loadDatabaseDriver('postgres'),
      url: target.url,
      extra: { max: contributions.poolSize },
    };
  }
  return new DataSource(options);
}

/**
 * Creates the SQLite file's folder, or says why it cannot: a path through a regular file, a kernel filesystem
 * (creating folders under /proc loops in Node instead of failing), or no permission. `DATABASE_UNREACHABLE`.
 */
function prepareFolder(file: string): void {
  const folder = dirname(file);
  let existing = folder;
  while (!existsSync(existing) && dirname(existing) !== existing) existing = dirname(existing);
  const unusable = (why: string) =>
    new SyncbusError(
      'DATABASE_UNREACHABLE',
      `The SQLite file ${file} cannot be created: ${why}. Point database.url at a file in a writable folder.`,
    );
  if (!statSync(existing).isDirectory()) throw unusable(`${existing} is a file, not a folder`);
  const pseudo = PSEUDO_FILESYSTEMS.get(statfsSync(existing).type);
  if (pseudo) throw unusable(`${existing} is on ${pseudo}, a kernel filesystem`);
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw unusable((error as Error).message);
  }
}
