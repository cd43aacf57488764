// Records every error of a connector or an incoming task in integration_sync_log, and reads the history back.
import { inject, injectable, Storage } from '@syncbus/core';
import { type SqlExecutor } from '@syncbus/core/internal';
import { LessThan } from 'typeorm';
import { IntegrationSyncLogEntity } from '../storage/integration-sync-log.entity';
import type { IntegrationTask } from '../tasks/integration-task';

/** One entry of the sync log. */
export interface IntegrationSyncLogEntry {
  readonly id: number;
  readonly connectorId: number;
  readonly taskId: number;
  readonly taskGuid: string;
  readonly inbound: boolean;
  readonly taskType: string;
  readonly objectType: string;
  readonly objectGuid: string;
  readonly result: string;
  readonly error: string;
  readonly createdAt: Date;
}

/** An entry to append: the task and what its connector answered. */
export interface IntegrationSyncLogRecord {
  readonly connectorId: number;
  readonly task: IntegrationTask;
  readonly result: string;
  readonly error: string;
}

/** The error history of the integration bus; entries stay after the task succeeds on a retry or is skipped. */
@injectable()
export class IntegrationSyncLog {
  constructor(@inject(Storage) private readonly storage: Storage) {}

  /** Appends an entry in a transaction of its own. */
  async record(connectorId: number, task: IntegrationTask, result: string, error: string): Promise<void> {
    await this.storage.dataSource.getRepository(IntegrationSyncLogEntity).insert({
      connectorId,
      taskId: task.id,
      taskGuid: task.guid,
      inbound: task.inbound,
      taskType: task.taskType,
      objectType: task.objectType.slice(0, 200),
      objectGuid: task.objectGuid.slice(0, 400),
      result,
      error: error.slice(0, 4000),
      createdAt: Date.now(),
    });
  }

  /** Appends entries in `sql`'s transaction (a batch's settle), so each commits with its task's outcome. */
  async recordIn(sql: SqlExecutor, entries: readonly IntegrationSyncLogRecord[]): Promise<void> {
    for (const { connectorId, task, result, error } of entries) {
      await sql.run(
        `INSERT INTO integration_sync_log (connector_id, task_id, task_guid, inbound, task_type, object_type,
           object_guid, result, error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          connectorId,
          task.id,
          task.guid,
          task.inbound ? 1 : 0,
          task.taskType,
          task.objectType.slice(0, 200),
          task.objectGuid.slice(0, 400),
          result,
          error.slice(0, 4000),
          Date.now(),
        ],
      );
    }
  }

  /** Entries newest first (one connector's, given its row id); `before` (an entry id) continues a page. */
  async page(options: {
    connectorId?: number;
    before?: number;
    limit: number;
  }): Promise<IntegrationSyncLogEntry[]> {
    const rows = await this.storage.dataSource.getRepository(IntegrationSyncLogEntity).find({
      where: {
        ...(options.connectorId === undefined ? {} : { connectorId: options.connectorId }),
        ...(options.before === undefined ? {} : { id: LessThan(options.before) }),
      },
      order: { id: 'DESC' },
      take: options.limit,
    });
    return rows.map((row) => ({ ...row, inbound: Boolean(row.inbound), createdAt: new Date(row.createdAt) }));
  }

  /** Entries of one connector (by row id), oldest first. */
  async entries(connectorId: number): Promise<IntegrationSyncLogEntry[]> {
    const rows = await this.storage.dataSource
      .getRepository(IntegrationSyncLogEntity)
      .find({ where: { connectorId }, order: { id: 'ASC' } });
    return rows.map((row) => ({ ...row, inbound: Boolean(row.inbound), createdAt: new Date(row.createdAt) }));
  }
}
