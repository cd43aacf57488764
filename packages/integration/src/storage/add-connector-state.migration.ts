// Keeps a connector's run-time state in its row, so every process sees it: the problem the node running its drain
// found (a failed check or an outage), and an operator's pause.
import { TableColumn, type MigrationInterface, type QueryRunner } from 'typeorm';

/** integration_connector.problem, .problem_until and .paused. */
export class AddConnectorState1760000000400 implements MigrationInterface {
  name = 'AddConnectorState1760000000400';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumns('integration_connector', [
      new TableColumn({ name: 'problem', type: 'varchar', length: '1000', isNullable: true }),
      new TableColumn({ name: 'problem_until', type: 'bigint', isNullable: true }),
      new TableColumn({ name: 'paused', type: 'boolean', default: false, isNullable: false }),
    ]);
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const column of ['paused', 'problem_until', 'problem'])
      await runner.dropColumn('integration_connector', column);
  }
}
