// Builds the one TypeORM DataSource of a node from its database URL, with the entities and migrations modules add.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions, type MixedList, type EntitySchema } from 'typeorm';
import type { DatabaseTarget } from './database-url';

/** What the kernel collected from modules for the DataSource. */
export interface DataSourceContributions {
  readonly entities: MixedList<Function | string | EntitySchema>;
  readonly migrations: MixedList<Function | string>;
  readonly synchronize: boolean;
  readonly busyTimeoutMs: number;
  readonly poolSize: number;
}

/**
 * Creates (not yet initialized) the DataSource. SQLite runs in WAL mode with `synchronous=NORMAL` (durable at
 * checkpoints, and the measured fast setting) and a busy timeout, so readers never block the writer.
 */
export function createDataSource(target: DatabaseTarget, contributions: DataSourceContributions): DataSource {
  const common = {
    entities: contributions.entities,
    migrations: contributions.migrations,
    migrationsRun: false,
    synchronize: contributions.synchronize,
    logging: false,
  } as const;
  let options: DataSourceOptions;
  if (target.kind === 'sqlite') {
    if (target.file !== ':memory:') mkdirSync(dirname(target.file), { recursive: true });
    options = {
      ...common,
      type: 'better-sqlite3',
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
    options = { ...common, type: 'postgres', url: target.url, extra: { max: contributions.poolSize } };
  }
  return new DataSource(options);
}
