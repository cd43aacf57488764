// What waits for each staging server, read from the trigger-kept counters (`staging_queue_count`) instead of counted,
// so `GET /servers`, `GET /node` and `syncbus tasks stats` cost O(servers). Read through SynchronizationInfoProvider.
import type { Storage } from '@syncbus/core';
import { withSqlRead, withSqlTransaction } from '@syncbus/core/internal';

/** Rows pending and failed for one server. */
export interface StagingQueueCounts {
  readonly pending: number;
  readonly failed: number;
}

/** What waits for one server: its counts, and when the oldest pending task was logged (epoch ms). */
export interface StagingQueueStats extends StagingQueueCounts {
  readonly oldestPendingAt: number | null;
}

/**
 * Per server id, for every server that has any rows: the counts, and the oldest pending task, the first in logged
 * order (one index seek per server: `created_at` of the lowest pending task id).
 */
export async function stagingQueueStats(storage: Storage): Promise<Map<number, StagingQueueStats>> {
  const totals = await stagingQueueTotals(storage);
  const oldest = await withSqlRead(storage, (sql) =>
    sql.all<{ server_id: unknown; oldest: unknown }>(
      `SELECT v.id AS server_id,
              (SELECT t.created_at FROM staging_task t WHERE t.id = (SELECT MIN(s.task_id) FROM staging_synchronization s
                WHERE s.server_id = v.id AND s.status = 'pending')) AS oldest
         FROM staging_server v`,
    ),
  );
  const stats = new Map<number, StagingQueueStats>();
  for (const r of oldest) {
    const counts = totals.get(Number(r.server_id));
    if (!counts || counts.pending + counts.failed === 0) continue;
    stats.set(Number(r.server_id), {
      ...counts,
      oldestPendingAt: r.oldest === null || r.oldest === undefined ? null : Number(r.oldest),
    });
  }
  return stats;
}

/**
 * Rows per server id (all, or only `serverId`) and status, summed over the counter's shards (one per PostgreSQL
 * connection). The triggers change the counters in the transaction that changes the rows, so they never drift.
 */
export async function stagingQueueTotals(
  storage: Storage,
  serverId?: number,
): Promise<Map<number, StagingQueueCounts>> {
  const rows = await withSqlRead(storage, (sql) =>
    sql.all<{ server_id: unknown; status: string; row_count: unknown; shards: unknown }>(
      `SELECT server_id, status, SUM(row_count) AS row_count, COUNT(*) AS shards FROM staging_queue_count
        ${serverId === undefined ? '' : 'WHERE server_id = ?'} GROUP BY server_id, status`,
      serverId === undefined ? [] : [serverId],
    ),
  );
  const totals = new Map<number, { pending: number; failed: number }>();
  for (const r of rows) {
    const id = Number(r.server_id);
    const counts = totals.get(id) ?? { pending: 0, failed: 0 };
    if (r.status === 'pending' || r.status === 'failed') counts[r.status] += Number(r.row_count);
    totals.set(id, counts);
  }
  if (rows.some((r) => Number(r.shards) > MAX_SHARDS)) await foldShards(storage);
  return totals;
}

/**
 * The rows waiting per server name and status, for `/metrics` (servers with none left out): the totals the
 * queue's triggers keep (migration ScaleStagingQueue), so no count over the queue per scrape.
 */
export function stagingQueueTotalsByName(
  storage: Storage,
): Promise<{ name: string; status: string; count: unknown }[]> {
  return withSqlRead(storage, (sql) =>
    sql.all(
      `SELECT v.name AS name, c.status AS status, SUM(c.row_count) AS count FROM staging_queue_count c
         JOIN staging_server v ON v.id = c.server_id GROUP BY v.name, c.status HAVING SUM(c.row_count) <> 0`,
    ),
  );
}

/** Counter shards per server and status beyond which reading the totals folds them (PostgreSQL). */
const MAX_SHARDS = 64;

/**
 * PostgreSQL: adds the shards of connections long gone into shard 0, so reading the totals stays O(servers)
 * however many connections the node has had. Rows an open transaction holds are skipped, never waited for.
 */
async function foldShards(storage: Storage): Promise<void> {
  if (storage.kind !== 'postgres') return;
  await withSqlTransaction(storage, (sql) =>
    sql.run(
      `WITH locked AS (SELECT server_id, status, shard FROM staging_queue_count WHERE shard <> 0 FOR UPDATE SKIP LOCKED),
     moved AS (DELETE FROM staging_queue_count c USING locked l
                WHERE c.server_id = l.server_id AND c.status = l.status AND c.shard = l.shard
                RETURNING c.server_id, c.status, c.row_count)
     INSERT INTO staging_queue_count (server_id, status, shard, row_count)
       SELECT server_id, status, 0, SUM(row_count) FROM moved GROUP BY server_id, status
     ON CONFLICT (server_id, status, shard) DO UPDATE SET row_count = staging_queue_count.row_count + EXCLUDED.row_count`,
    ),
  );
}
