// Writes pending staging tasks with raw drivers: the floors' inserts and the (untimed) backlog setup of drains.
import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import { articleValues, BENCH_OBJECT_TYPE } from '../peers/bench-payloads';

/** Columns of staging_task the logger writes. */
export const TASK_COLUMNS = [
  'guid',
  'task_type',
  'object_type',
  'object_guid',
  'object_id',
  'title',
  'data',
  'created_at',
  'origin',
  'users',
  '"groups"',
] as const;

/** Columns of staging_synchronization the logger writes (the rest take their defaults). */
export const SYNC_COLUMNS = ['task_id', 'server_id', 'object_key'] as const;

/** Task rows per batched statement. */
export const TASK_BATCH = 50;

/** The staging_task values of the create of article `i` (a fresh guid, as the logger's randomUUID()). */
export function taskRow(i: number, run: string): unknown[] {
  const article = articleValues(i, run);
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

/** The staging_synchronization values of a task for one server. */
export function syncRow(taskId: number | bigint, serverId: number, objectGuid: unknown): unknown[] {
  return [taskId, serverId, `${BENCH_OBJECT_TYPE}:${objectGuid}`];
}

/** `(?,?,?),(?,?,?)` for `rows` rows of `columns` values. */
export function placeholders(columns: number, rows: number): string {
  const row = `(${new Array(columns).fill('?').join(',')})`;
  return new Array(rows).fill(row).join(',');
}

const taskSql = `INSERT INTO staging_task (${TASK_COLUMNS.join(',')}) VALUES `;
const syncSql = `INSERT INTO staging_synchronization (${SYNC_COLUMNS.join(',')}) VALUES `;

/** Inserts tasks `0..count-1` with a synchronization row per server, in batched statements (caller's transaction). */
export function insertTasksSqlite(
  db: Database.Database,
  count: number,
  serverIds: readonly number[],
  run: string,
): void {
  const one = db.prepare(taskSql + placeholders(TASK_COLUMNS.length, 1));
  const oneSync = db.prepare(syncSql + placeholders(SYNC_COLUMNS.length, 1));
  const many = db.prepare(taskSql + placeholders(TASK_COLUMNS.length, TASK_BATCH));
  const manySync = db.prepare(syncSql + placeholders(SYNC_COLUMNS.length, TASK_BATCH * serverIds.length));
  let i = 0;
  for (; i + TASK_BATCH <= count; i += TASK_BATCH) {
    const rows = Array.from({ length: TASK_BATCH }, (_, k) => taskRow(i + k, run));
    // One connection inside one transaction: the batch's ids are consecutive, ending at lastInsertRowid.
    const firstId = Number(many.run(...rows.flat()).lastInsertRowid) - TASK_BATCH + 1;
    manySync.run(...rows.flatMap((row, k) => serverIds.flatMap((s) => syncRow(firstId + k, s, row[3]))));
  }
  for (; i < count; i++) {
    const row = taskRow(i, run);
    const taskId = one.run(...row).lastInsertRowid;
    for (const s of serverIds) oneSync.run(...syncRow(taskId, s, row[3]));
  }
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The PostgreSQL version of `insertTasksSqlite`, 500 tasks per statement (caller's transaction). */
export async function insertTasksPostgres(
  client: Client,
  count: number,
  serverIds: readonly number[],
  run: string,
) {
  const batch = 500;
  for (let from = 0; from < count; from += batch) {
    const rows = Array.from({ length: Math.min(batch, count - from) }, (_, k) => taskRow(from + k, run));
    const inserted = await client.query<{ id: number }>(
      numbered(taskSql + placeholders(TASK_COLUMNS.length, rows.length) + ' RETURNING id'),
      rows.flat(),
    );
    const syncs = rows.flatMap((row, k) => serverIds.flatMap((s) => syncRow(inserted.rows[k].id, s, row[3])));
    await client.query(
      numbered(syncSql + placeholders(SYNC_COLUMNS.length, syncs.length / SYNC_COLUMNS.length)),
      syncs,
    );
  }
}
