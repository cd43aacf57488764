// Lets an operator pause a server: tasks are still logged for it, nothing is sent until it is resumed.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** staging_server.paused (false for every existing server). */
export class AddServerPaused1760000000100 implements MigrationInterface {
  name = 'AddServerPaused1760000000100';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumn(
      'staging_server',
      new TableColumn({ name: 'paused', type: 'boolean', default: false, isNullable: false }),
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropColumn('staging_server', 'paused');
  }
}
