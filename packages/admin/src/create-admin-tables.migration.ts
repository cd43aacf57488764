// Creates the admin module's table: the audit trail of operator actions.
import { generatedIdColumn } from '@syncbus/core/internal';
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

export class CreateAdminTables1740000000500 implements MigrationInterface {
  name = 'CreateAdminTables1740000000500';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'admin_audit',
        columns: [
          generatedIdColumn(),
          { name: 'at', type: 'bigint' },
          { name: 'actor', type: 'varchar', length: '100' },
          { name: 'action', type: 'varchar', length: '100' },
          { name: 'target', type: 'text' },
          { name: 'outcome', type: 'varchar', length: '50' },
          { name: 'detail', type: 'text' },
        ],
      }),
    );
    await runner.createIndex(
      'admin_audit',
      new TableIndex({ name: 'IDX_admin_audit_at', columnNames: ['at'] }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('admin_audit');
  }
}
