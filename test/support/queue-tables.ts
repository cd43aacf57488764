// A synchronization table and its task table for the queue's own tests (LeaseQueue, QueueWorker) on real SQLite.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Table, type MigrationInterface, type QueryRunner } from 'typeorm';
// Core's own specs import core's sources, so this file does too (not the built package the other suites use).
import { Kernel } from '../../packages/core/src/kernel/kernel';
import { createLogger } from '../../packages/core/src/logging/logger';
import type { SynchronizationTable } from '../../packages/core/src/queue/lease-queue';
import {
  synchronizationColumns,
  synchronizationIndices,
} from '../../packages/core/src/queue/synchronization-columns';
import { withSqlTransaction } from '../../packages/core/src/storage/sql-executor';
import type { Storage } from '../../packages/core/src/storage/storage';

/** `q_task` (ids only) and `q_sync` (the columns and indexes every synchronization table has). */
export class CreateQueueTables1700000000000 implements MigrationInterface {
  name = 'CreateQueueTables1700000000000';
  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'q_task',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'q_sync',
        columns: synchronizationColumns('server_id'),
        indices: synchronizationIndices('q_sync', 'server_id'),
      }),
    );
  }
  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('q_sync');
    await runner.dropTable('q_task');
  }
}

/** The queue over those tables. */
export const Q_TABLE: SynchronizationTable = {
  table: 'q_sync',
  targetColumn: 'server_id',
  taskTable: 'q_task',
  deleteCompletedTasks: true,
};

/** A node on a new SQLite file with the queue's tables. */
export function bootQueueKernel(): Promise<Kernel> {
  return Kernel.boot({
    config: {
      database: { url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'syncbus-queue-')), 'q.sqlite')}` },
    },
    migrations: [CreateQueueTables1700000000000],
    logger: createLogger({ level: 'silent' }),
  });
}

/** Logs one task per `[server, object key]`, in order, each with its synchronization row; the new task ids. */
export function enqueueRows(
  storage: Storage,
  rows: readonly (readonly [number, string])[],
): Promise<number[]> {
  return withSqlTransaction(storage, async (sql) => {
    const ids: number[] = [];
    for (const [server, key] of rows) {
      await sql.run('INSERT INTO q_task DEFAULT VALUES');
      const [{ id }] = await sql.all<{ id: number }>('SELECT MAX(id) AS id FROM q_task');
      await sql.run('INSERT INTO q_sync (task_id, server_id, object_key) VALUES (?, ?, ?)', [
        id,
        server,
        key,
      ]);
      ids.push(Number(id));
    }
    return ids;
  });
}
