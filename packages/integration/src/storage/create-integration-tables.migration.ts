// Creates the integration bus's tables with the QueryRunner API only, so one migration runs on SQLite and PostgreSQL.
import { generatedIdColumn, synchronizationColumns, synchronizationIndices } from '@syncbus/core/internal';
import { Table, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const SYNCHRONIZATION_TABLES = ['integration_synchronization', 'integration_external_synchronization'];

/** integration_connector, integration_task, the outgoing and incoming synchronization tables, integration_sync_log. */
export class CreateIntegrationTables1730000000400 implements MigrationInterface {
  name = 'CreateIntegrationTables1730000000400';

  async up(runner: QueryRunner): Promise<void> {
    const id = generatedIdColumn();
    await runner.createTable(
      new Table({
        name: 'integration_connector',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '200', isUnique: true },
          { name: 'display_name', type: 'varchar', length: '300' },
          { name: 'package', type: 'varchar', length: '300', isNullable: true },
          { name: 'version', type: 'varchar', length: '50', isNullable: true },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'config', type: 'text', default: "'{}'" },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'integration_task',
        columns: [
          id,
          { name: 'guid', type: 'varchar', length: '36' },
          { name: 'inbound', type: 'boolean', default: false },
          { name: 'task_type', type: 'varchar', length: '50' },
          { name: 'object_type', type: 'varchar', length: '200' },
          { name: 'object_guid', type: 'varchar', length: '400' },
          { name: 'title', type: 'varchar', length: '400' },
          { name: 'data', type: 'text' },
          { name: 'data_type', type: 'varchar', length: '16' },
          { name: 'process_type', type: 'varchar', length: '16' },
          { name: 'user_name', type: 'varchar', length: '200', isNullable: true },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [new TableIndex({ name: 'IDX_integration_task_guid', columnNames: ['guid'] })],
      }),
    );
    for (const table of SYNCHRONIZATION_TABLES) {
      await runner.createTable(
        new Table({
          name: table,
          columns: synchronizationColumns('connector_id'),
          indices: synchronizationIndices(table, 'connector_id'),
          foreignKeys: [
            new TableForeignKey({
              columnNames: ['task_id'],
              referencedTableName: 'integration_task',
              referencedColumnNames: ['id'],
              onDelete: 'CASCADE',
            }),
            new TableForeignKey({
              columnNames: ['connector_id'],
              referencedTableName: 'integration_connector',
              referencedColumnNames: ['id'],
              onDelete: 'CASCADE',
            }),
          ],
        }),
      );
    }
    // No foreign keys: the log outlives its tasks (history after a retry succeeded or the task was skipped).
    await runner.createTable(
      new Table({
        name: 'integration_sync_log',
        columns: [
          id,
          { name: 'connector_id', type: 'integer' },
          { name: 'task_id', type: 'integer' },
          { name: 'task_guid', type: 'varchar', length: '36' },
          { name: 'inbound', type: 'boolean', default: false },
          { name: 'task_type', type: 'varchar', length: '50' },
          { name: 'object_type', type: 'varchar', length: '200' },
          { name: 'object_guid', type: 'varchar', length: '400' },
          { name: 'result', type: 'varchar', length: '16' },
          { name: 'error', type: 'text' },
          { name: 'created_at', type: 'bigint' },
        ],
        indices: [
          new TableIndex({ name: 'IDX_integration_sync_log_connector', columnNames: ['connector_id', 'id'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('integration_sync_log');
    for (const table of [...SYNCHRONIZATION_TABLES].reverse()) await runner.dropTable(table);
    await runner.dropTable('integration_task');
    await runner.dropTable('integration_connector');
  }
}
