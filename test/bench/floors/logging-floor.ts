// The floor of workloads 1 and 2: the rows logging writes (a task and one synchronization row per target),
// inserted with raw better-sqlite3 prepared statements. Nothing can log a change with less work.
import Database from 'better-sqlite3';
import type { ChildRole } from '../harness/child-channel';
import { randomUUID } from 'node:crypto';
import { articleValues, BENCH_OBJECT_TYPE } from '../peers/bench-payloads';
import { createFloorSchema, FLOOR_SYNC_COLUMNS, FLOOR_TASK_COLUMNS } from './floor-schema';

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

const BATCH = 50;

function taskRow(i: number, run: string): unknown[] {
  const article = articleValues(i, run);
  // A fresh task guid per call, as the logger's randomUUID(); the data is the snapshot's JSON.
  const data = JSON.stringify(article);
  return [
    randomUUID(),
    'create',
    BENCH_OBJECT_TYPE,
    article.guid,
    String(i + 1),
    article.title,
    data,
    Date.now(),
    '[]',
    '[]',
    '[]',
  ];
}

function placeholders(columns: number, rows: number): string {
  const row = `(${new Array(columns).fill('?').join(',')})`;
  return new Array(rows).fill(row).join(',');
}

export const loggingFloorRole: ChildRole = async (
  config: LoggingFloorConfig,
  channel,
): Promise<LoggingResult> => {
  const db = new Database(config.dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  createFloorSchema(db);
  const taskSql = `INSERT INTO staging_task (${FLOOR_TASK_COLUMNS.join(',')}) VALUES `;
  const syncSql = `INSERT INTO staging_synchronization (${FLOOR_SYNC_COLUMNS.join(',')}) VALUES `;
  const insertTask = db.prepare(taskSql + placeholders(FLOOR_TASK_COLUMNS.length, 1));
  const insertSync = db.prepare(syncSql + placeholders(FLOOR_SYNC_COLUMNS.length, 1));
  const syncRow = (taskId: number | bigint, target: number, objectGuid: unknown) => [
    taskId,
    target,
    `${BENCH_OBJECT_TYPE}:${objectGuid}`,
  ];
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

  const insertTasks = db.prepare(taskSql + placeholders(FLOOR_TASK_COLUMNS.length, BATCH));
  const insertSyncs = db.prepare(syncSql + placeholders(FLOOR_SYNC_COLUMNS.length, BATCH * config.targets));
  const started = performance.now();
  db.transaction(() => {
    let i = 0;
    for (; i + BATCH <= config.changes; i += BATCH) {
      const rows = Array.from({ length: BATCH }, (_, k) => taskRow(i + k, config.run));
      // One connection inside one transaction: the batch's ids are consecutive, ending at lastInsertRowid.
      const firstId = Number(insertTasks.run(...rows.flat()).lastInsertRowid) - BATCH + 1;
      insertSyncs.run(
        ...rows.flatMap((row, k) =>
          Array.from({ length: config.targets }, (_, t) => syncRow(firstId + k, t + 1, row[3])).flat(),
        ),
      );
    }
    for (; i < config.changes; i++) {
      const row = taskRow(i, config.run);
      const taskId = insertTask.run(...row).lastInsertRowid;
      for (let t = 1; t <= config.targets; t++) insertSync.run(...syncRow(taskId, t, row[3]));
    }
  })();
  const ms = performance.now() - started;
  db.close();
  return { changes: config.changes, ms };
};
