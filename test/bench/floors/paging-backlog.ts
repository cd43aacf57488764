// The admin-paging workload's backlog: N pending staging tasks, one synchronization row each, spread over the
// servers, with a fixed number of rare rows (failed, another object type, another user, a rare title) spread evenly
// through it whatever N is. Written with raw drivers in multi-row INSERTs, large transactions (untimed setup).
import type Database from 'better-sqlite3';
import type { Client } from 'pg';
import { placeholders } from './task-rows';

/** How many tasks of each rare kind a backlog holds, whatever its size: a filter for them matches this many. */
export const RARE_ROWS = 200;

/** What the rare rows are, for the filters the workload times. */
export const PAGING_VALUES = {
  objectType: 'bench.article',
  rareObjectType: 'bench.category',
  user: 'editor',
  rareUser: 'reviewer',
  /** Every task's title contains "article <i>". */
  commonTitle: 'article 12',
  /** Only the rare titled tasks contain it. */
  rareTitle: 'quarterly',
  /** No task contains it: the whole backlog is read (the title filter's worst case). */
  absentTitle: 'no such title',
} as const;

/** Tasks per INSERT statement (x 11 parameters; SQLite binds at most 32,766). */
const BATCH = 500;
/** Tasks per transaction. */
const CHUNK = 50_000;

const DATA = JSON.stringify({ body: 'Lorem ipsum dolor sit amet, consectetur adipiscing elit '.repeat(3) });

/** Whether task `i` of `n` is one of the `RARE_ROWS` of kind `k` (kinds use different offsets). */
function rare(i: number, n: number, k: number): boolean {
  const every = Math.max(1, Math.floor(n / RARE_ROWS));
  return i % every === (k * 7) % every && i / every < RARE_ROWS;
}

function taskValues(i: number, n: number, run: string, createdAt: number): unknown[] {
  const objectType = rare(i, n, 1) ? PAGING_VALUES.rareObjectType : PAGING_VALUES.objectType;
  const title = rare(i, n, 3) ? `Quarterly report ${i}` : `Article ${i}`;
  const user = rare(i, n, 2) ? PAGING_VALUES.rareUser : PAGING_VALUES.user;
  return [
    `${run}-${String(i).padStart(12, '0')}`.slice(-36),
    'create',
    objectType,
    `${run}:${i}`,
    String(i + 1),
    title,
    DATA,
    createdAt + i,
    '[]',
    JSON.stringify([user]),
    '[]',
  ];
}

function syncValues(
  taskId: number,
  i: number,
  n: number,
  serverIds: readonly number[],
  run: string,
): unknown[] {
  const failed = rare(i, n, 4);
  return [
    taskId,
    serverIds[i % serverIds.length],
    `bench:${run}:${i}`,
    failed ? 'failed' : 'pending',
    failed ? 10 : 0,
    failed ? 'target down' : null,
  ];
}

const TASK_SQL =
  'INSERT INTO staging_task (guid, task_type, object_type, object_guid, object_id, title, data, created_at, origin, users, "groups") VALUES ';
const SYNC_SQL =
  'INSERT INTO staging_synchronization (task_id, server_id, object_key, status, attempts, last_error) VALUES ';

/** Writes the backlog into a SQLite file whose tables exist (the node's migrations ran). */
export function writePagingBacklogSqlite(
  db: Database.Database,
  tasks: number,
  serverIds: readonly number[],
  run: string,
): void {
  const createdAt = Date.now() - tasks;
  const statements = new Map<number, [Database.Statement, Database.Statement]>();
  const statementsFor = (rows: number) => {
    let pair = statements.get(rows);
    if (!pair) {
      pair = [db.prepare(TASK_SQL + placeholders(11, rows)), db.prepare(SYNC_SQL + placeholders(6, rows))];
      statements.set(rows, pair);
    }
    return pair;
  };
  for (let from = 0; from < tasks; from += CHUNK) {
    db.transaction(() => {
      for (let i = from; i < Math.min(tasks, from + CHUNK); i += BATCH) {
        const rows = Math.min(BATCH, tasks - i, from + CHUNK - i);
        const [task, sync] = statementsFor(rows);
        const values: unknown[] = [];
        for (let k = 0; k < rows; k++) values.push(...taskValues(i + k, tasks, run, createdAt));
        // One connection in one transaction: the batch's ids are consecutive, ending at lastInsertRowid.
        const first = Number(task.run(...values).lastInsertRowid) - rows + 1;
        const syncs: unknown[] = [];
        for (let k = 0; k < rows; k++) syncs.push(...syncValues(first + k, i + k, tasks, serverIds, run));
        sync.run(...syncs);
      }
    })();
  }
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** The PostgreSQL version of `writePagingBacklogSqlite`; ends with ANALYZE, as autovacuum would soon do. */
export async function writePagingBacklogPostgres(
  client: Client,
  tasks: number,
  serverIds: readonly number[],
  run: string,
): Promise<void> {
  const createdAt = Date.now() - tasks;
  for (let from = 0; from < tasks; from += CHUNK) {
    await client.query('BEGIN');
    for (let i = from; i < Math.min(tasks, from + CHUNK); i += BATCH) {
      const rows = Math.min(BATCH, tasks - i, from + CHUNK - i);
      const values: unknown[] = [];
      for (let k = 0; k < rows; k++) values.push(...taskValues(i + k, tasks, run, createdAt));
      const inserted = await client.query<{ id: number }>(
        numbered(TASK_SQL + placeholders(11, rows) + ' RETURNING id'),
        values,
      );
      const syncs: unknown[] = [];
      for (let k = 0; k < rows; k++)
        syncs.push(...syncValues(Number(inserted.rows[k].id), i + k, tasks, serverIds, run));
      await client.query(numbered(SYNC_SQL + placeholders(6, rows)), syncs);
    }
    await client.query('COMMIT');
  }
  await client.query('ANALYZE staging_task');
  await client.query('ANALYZE staging_synchronization');
}
