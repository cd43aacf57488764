// The floor of workload 1 on PostgreSQL: the same rows (task + one synchronization row per target) with the raw
// `pg` driver, one transaction per change, into the tables staging's own migration created.
import { Kernel } from '@syncbus/core';
import { Client } from 'pg';
import type { ChildRole } from '../harness/child-channel';
import { sourceNodeOptions } from '../syncbus/syncbus-node-options';
import type { LoggingResult } from './logging-floor';
import { placeholders, SYNC_COLUMNS, syncRow, TASK_COLUMNS, taskRow } from './task-rows';

/** Config of the PostgreSQL logging floor. */
export interface PostgresLoggingFloorConfig {
  readonly databaseUrl: string;
  readonly secretEnv: string;
  readonly changes: number;
  readonly targets: number;
  readonly run: string;
}

function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export const postgresLoggingFloorRole: ChildRole = async (config: PostgresLoggingFloorConfig, channel) => {
  // Booting a node once creates staging's tables (and its server rows) exactly as syncbus has them.
  const unused = Array.from({ length: config.targets }, () => 'http://127.0.0.1:9');
  await (
    await Kernel.boot(
      sourceNodeOptions({ databaseUrl: config.databaseUrl, targetUrls: unused, secretEnv: config.secretEnv }),
    )
  ).stop();
  const client = new Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    const servers = (
      await client.query<{ id: number }>('SELECT id FROM staging_server ORDER BY id')
    ).rows.map((r) => r.id);
    const insertTask = {
      name: 'floor-task',
      text: numbered(
        `INSERT INTO staging_task (${TASK_COLUMNS.join(',')}) VALUES ${placeholders(TASK_COLUMNS.length, 1)} RETURNING id`,
      ),
    };
    const insertSyncs = {
      name: 'floor-sync',
      text: numbered(
        `INSERT INTO staging_synchronization (${SYNC_COLUMNS.join(',')}) VALUES ${placeholders(SYNC_COLUMNS.length, servers.length)}`,
      ),
    };
    channel.ready();
    await channel.nextGo();
    const latencies = new Float64Array(config.changes);
    const started = performance.now();
    for (let i = 0; i < config.changes; i++) {
      const t0 = performance.now();
      const row = taskRow(i, config.run);
      await client.query('BEGIN');
      const { rows } = await client.query<{ id: number }>({ ...insertTask, values: row });
      await client.query({ ...insertSyncs, values: servers.flatMap((s) => syncRow(rows[0].id, s, row[3])) });
      await client.query('COMMIT');
      latencies[i] = performance.now() - t0;
    }
    return { changes: config.changes, ms: performance.now() - started, latencies } satisfies LoggingResult;
  } finally {
    await client.end();
  }
};
