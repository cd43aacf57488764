// The floor's tables: the same columns and indexes as @syncbus/staging's migrations create for staging_task and
// staging_synchronization, so the floor pays the same index maintenance as the real thing (not the queue-count
// triggers: those are syncbus's own cost, measured against it).
import type Database from 'better-sqlite3';

/** Creates the floor's tables in `db`. */
export function createFloorSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS staging_task (id INTEGER PRIMARY KEY AUTOINCREMENT, guid VARCHAR(36) NOT NULL UNIQUE,
      task_type VARCHAR(50) NOT NULL, object_type VARCHAR(100) NOT NULL, object_guid VARCHAR(200) NOT NULL,
      object_id VARCHAR(100), title VARCHAR(400) NOT NULL, data TEXT NOT NULL, created_at BIGINT NOT NULL,
      origin TEXT NOT NULL, users TEXT NOT NULL, "groups" TEXT NOT NULL);
    CREATE INDEX IF NOT EXISTS IDX_staging_task_object ON staging_task (object_type, object_guid);
    CREATE INDEX IF NOT EXISTS IDX_staging_task_object_type ON staging_task (object_type, id);
    CREATE TABLE IF NOT EXISTS staging_synchronization (id INTEGER PRIMARY KEY AUTOINCREMENT,
      task_id INTEGER NOT NULL, server_id INTEGER NOT NULL, object_key VARCHAR(400) NOT NULL,
      status VARCHAR(16) NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at BIGINT NOT NULL DEFAULT 0, last_run_at BIGINT, last_error TEXT, lease_owner VARCHAR(200),
      lease_expires_at BIGINT);
    CREATE INDEX IF NOT EXISTS IDX_sync_target_object ON staging_synchronization (server_id, object_key, task_id);
    CREATE INDEX IF NOT EXISTS IDX_sync_target_task ON staging_synchronization (server_id, status, task_id);
    CREATE INDEX IF NOT EXISTS IDX_sync_task ON staging_synchronization (task_id);
    CREATE INDEX IF NOT EXISTS IDX_sync_lease ON staging_synchronization (lease_owner);
    CREATE INDEX IF NOT EXISTS IDX_sync_target_all ON staging_synchronization (server_id, task_id);
    CREATE INDEX IF NOT EXISTS IDX_sync_status ON staging_synchronization (status, task_id);`);
}
