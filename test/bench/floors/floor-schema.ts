// The floor's tables: the columns of a staging task and of a synchronization row (DESIGN's data section),
// with the indexes the claim query needs, so the floor pays the same index maintenance as the real thing.
import type Database from 'better-sqlite3';

/** Columns the floor writes per task. */
export const FLOOR_TASK_COLUMNS = [
  'guid',
  'type',
  'object_type',
  'object_guid',
  'object_id',
  'title',
  'data',
  'created_at',
  'origin',
  'user_name',
] as const;

/** Columns the floor writes per synchronization row (the rest take their defaults). */
export const FLOOR_SYNC_COLUMNS = ['task_id', 'server_id', 'object_key', 'next_attempt_at'] as const;

/** Creates the floor's tables in `db`. */
export function createFloorSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS bench_task (id INTEGER PRIMARY KEY AUTOINCREMENT, guid VARCHAR(36) NOT NULL UNIQUE,
      type VARCHAR(50) NOT NULL, object_type VARCHAR(100) NOT NULL, object_guid VARCHAR(200) NOT NULL,
      object_id INTEGER, title VARCHAR(400), data TEXT NOT NULL, created_at BIGINT NOT NULL,
      origin TEXT NOT NULL, user_name VARCHAR(200));
    CREATE TABLE IF NOT EXISTS bench_synchronization (id INTEGER PRIMARY KEY AUTOINCREMENT, task_id INTEGER NOT NULL,
      server_id INTEGER NOT NULL, object_key VARCHAR(400) NOT NULL, status VARCHAR(16) NOT NULL DEFAULT 'pending',
      attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at BIGINT NOT NULL DEFAULT 0, last_run_at BIGINT,
      last_error TEXT, lease_owner VARCHAR(200), lease_expires_at BIGINT);
    CREATE INDEX IF NOT EXISTS bench_sync_target_object ON bench_synchronization (server_id, object_key, task_id);
    CREATE INDEX IF NOT EXISTS bench_sync_target_task ON bench_synchronization (server_id, status, task_id);
    CREATE INDEX IF NOT EXISTS bench_sync_task ON bench_synchronization (task_id);
    CREATE INDEX IF NOT EXISTS bench_sync_lease ON bench_synchronization (lease_owner);`);
}
