// Creates staging's tables with the QueryRunner API only, so the one migration runs on SQLite and PostgreSQL.
import { generatedIdColumn, synchronizationColumns, synchronizationIndices } from '@syncbus/core/internal';
import { Table, TableIndex, TableUnique, type MigrationInterface, type QueryRunner } from 'typeorm';

/** staging_server, staging_task, staging_synchronization and the receiver's staging_received_task. */
export class CreateStagingTables1700000000100 implements MigrationInterface {
  name = 'CreateStagingTables1700000000100';

  async up(runner: QueryRunner): Promise<void> {
    const id = generatedIdColumn();
    await runner.createTable(
      new Table({
        name: 'staging_server',
        columns: [
          id,
          { name: 'name', type: 'varchar', length: '100', isUnique: true },
          { name: 'display_name', type: 'varchar', length: '200' },
          { name: 'url', type: 'varchar', length: '1000' },
          { name: 'enabled', type: 'boolean', default: true },
          { name: 'secret_ref', type: 'varchar', length: '200' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'staging_task',
        columns: [
          id,
          { name: 'guid', type: 'varchar', length: '36', isUnique: true },
          { name: 'task_type', type: 'varchar', length: '50' },
          { name: 'object_type', type: 'varchar', length: '100' },
          { name: 'object_guid', type: 'varchar', length: '200' },
          { name: 'object_id', type: 'varchar', length: '100', isNullable: true },
          { name: 'title', type: 'varchar', length: '400' },
          { name: 'data', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'origin', type: 'text' },
          { name: 'users', type: 'text' },
          { name: 'groups', type: 'text' },
        ],
        // Collapsing looks up the pending tasks of one object.
        indices: [
          new TableIndex({ name: 'IDX_staging_task_object', columnNames: ['object_type', 'object_guid'] }),
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'staging_synchronization',
        columns: synchronizationColumns('server_id'),
        indices: synchronizationIndices('staging_synchronization', 'server_id'),
      }),
    );
    await runner.createTable(
      new Table({
        name: 'staging_received_task',
        columns: [
          id,
          { name: 'source_server', type: 'varchar', length: '100' },
          { name: 'task_guid', type: 'varchar', length: '36' },
          { name: 'applied_at', type: 'bigint' },
        ],
        uniques: [
          new TableUnique({ name: 'UQ_staging_received_task', columnNames: ['source_server', 'task_guid'] }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('staging_received_task');
    await runner.dropTable('staging_synchronization');
    await runner.dropTable('staging_task');
    await runner.dropTable('staging_server');
  }
}
