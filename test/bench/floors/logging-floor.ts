// The floor of workloads 1 and 2: the rows logging writes (a task and one synchronization row per target),
// inserted with raw better-sqlite3 prepared statements. Nothing can log a change with less work.
import Database from 'better-sqlite3';
import type { ChildRole } from '../harness/child-channel';
import { createFloorSchema } from './floor-schema';
import { insertTasksSqlite, placeholders, SYNC_COLUMNS, syncRow, TASK_COLUMNS, taskRow } from './task-rows';

/** Config of the logging floor role. */
export interface LoggingFloorConfig {
  readonly dbFile: string;
  readonly changes: number;
  readonly targets: number;
  readonly run: string;
  /** `per-change`: one transaction per change (workload 1); `bulk`: all in one, batched statements (2). */
  readonly mode: 'per-change' | 'bulk';
}

/** What a logging role reports: elapsed ms, and per-change transaction latencies (per-change mode). */
export interface LoggingResult {
  readonly changes: number;
  readonly ms: number;
  readonly latencies?: Float64Array;
}

export const loggingFloorRole: ChildRole = async (
  config: LoggingFloorConfig,
  channel,
): Promise<LoggingResult> => {
  const db = new Database(config.dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  createFloorSchema(db);
  const insertTask = db.prepare(
    `INSERT INTO staging_task (${TASK_COLUMNS.join(',')}) VALUES ${placeholders(TASK_COLUMNS.length, 1)}`,
  );
  const insertSync = db.prepare(
    `INSERT INTO staging_synchronization (${SYNC_COLUMNS.join(',')}) VALUES ${placeholders(SYNC_COLUMNS.length, 1)}`,
  );
  channel.ready();
  await channel.nextGo();

  if (config.mode === 'per-change') {
    const latencies = new Float64Array(config.changes);
    const logOne = db.transaction((row: unknown[]) => {
      const taskId = insertTask.run(...row).lastInsertRowid;
      for (let t = 1; t <= config.targets; t++) insertSync.run(...syncRow(taskId, t, row[3]));
    });
    const started = performance.now();
    for (let i = 0; i < config.changes; i++) {
      const t0 = performance.now();
      logOne(taskRow(i, config.run));
      latencies[i] = performance.now() - t0;
    }
    const ms = performance.now() - started;
    db.close();
    return { changes: config.changes, ms, latencies };
  }

  const started = performance.now();
  const serverIds = Array.from({ length: config.targets }, (_, t) => t + 1);
  db.transaction(() => insertTasksSqlite(db, config.changes, serverIds, config.run))();
  const ms = performance.now() - started;
  db.close();
  return { changes: config.changes, ms };
};
