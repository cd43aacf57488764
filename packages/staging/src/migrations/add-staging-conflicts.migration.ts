// Conflict detection's tables on the receiver: the base of each staged object per source, and the conflicts.
import { generatedIdColumn } from '@syncbus/core/internal';
import {
  Table,
  TableColumn,
  TableIndex,
  TableUnique,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';

/** staging_object_base, staging_conflict, and staging_task.base (what a resolution expects the peer to hold). */
export class AddStagingConflicts1780000000100 implements MigrationInterface {
  name = 'AddStagingConflicts1780000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn('staging_task', new TableColumn({ name: 'base', type: 'text', isNullable: true }));
    await runner.createTable(
      new Table({
        name: 'staging_object_base',
        columns: [
          { name: 'source_server', type: 'varchar', length: '100', isPrimary: true },
          { name: 'object_key', type: 'varchar', length: '400', isPrimary: true },
          { name: 'data', type: 'text' },
          { name: 'task_guid', type: 'varchar', length: '36' },
          { name: 'updated_at', type: 'bigint' },
        ],
      }),
    );
    await runner.createTable(
      new Table({
        name: 'staging_conflict',
        columns: [
          generatedIdColumn(),
          { name: 'source_server', type: 'varchar', length: '100' },
          { name: 'task_guid', type: 'varchar', length: '36' },
          { name: 'task_type', type: 'varchar', length: '50' },
          { name: 'object_type', type: 'varchar', length: '100' },
          { name: 'object_guid', type: 'varchar', length: '200' },
          { name: 'title', type: 'varchar', length: '400' },
          { name: 'kind', type: 'varchar', length: '30' },
          { name: 'policy', type: 'varchar', length: '20' },
          { name: 'status', type: 'varchar', length: '10' },
          { name: 'outcome', type: 'varchar', length: '20' },
          { name: 'base', type: 'text', isNullable: true },
          { name: 'source', type: 'text', isNullable: true },
          { name: 'target', type: 'text', isNullable: true },
          { name: 'task', type: 'text' },
          { name: 'created_at', type: 'bigint' },
          { name: 'resolved_at', type: 'bigint', isNullable: true },
          { name: 'resolved_by', type: 'varchar', length: '200', isNullable: true },
        ],
        uniques: [
          new TableUnique({ name: 'UQ_staging_conflict_task', columnNames: ['source_server', 'task_guid'] }),
        ],
        indices: [new TableIndex({ name: 'IDX_staging_conflict_status', columnNames: ['status', 'id'] })],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('staging_conflict');
    await runner.dropTable('staging_object_base');
    await runner.dropColumn('staging_task', 'base');
  }
}
