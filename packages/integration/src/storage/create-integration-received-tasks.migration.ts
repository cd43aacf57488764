// Adds the ledger of incoming task guids per connector, so a redelivered incoming task (same guid) is logged once.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

/** integration_received_task: one row per (connector, guid) of an incoming task that was logged. */
export class CreateIntegrationReceivedTasks1730000000410 implements MigrationInterface {
  name = 'CreateIntegrationReceivedTasks1730000000410';

  async up(runner: QueryRunner): Promise<void> {
    await runner.createTable(
      new Table({
        name: 'integration_received_task',
        columns: [
          {
            name: 'id',
            type: 'integer',
            isPrimary: true,
            isGenerated: true,
            generationStrategy: 'increment',
          },
          { name: 'connector_id', type: 'integer' },
          { name: 'task_guid', type: 'varchar', length: '36' },
          { name: 'received_at', type: 'bigint' },
        ],
        // Unique: of two concurrent deliveries of one task, the second inserts nothing here and is answered as a duplicate.
        indices: [
          new TableIndex({
            name: 'IDX_integration_received_task_guid',
            columnNames: ['connector_id', 'task_guid'],
            isUnique: true,
          }),
        ],
      }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('integration_received_task');
  }
}
