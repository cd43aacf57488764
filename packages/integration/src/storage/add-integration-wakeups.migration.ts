// On PostgreSQL, logged integration tasks (both directions) wake the connector drains of every process at commit.
import { queueWakeupTriggers } from '@syncbus/core/internal';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const WAKEUPS = queueWakeupTriggers(
  { table: 'integration_synchronization', targetColumn: 'connector_id' },
  { table: 'integration_external_synchronization', targetColumn: 'connector_id' },
);

/** The wake-up triggers of both integration queues (docs/scaling.md); nothing on SQLite. */
export class AddIntegrationWakeups1770000000400 implements MigrationInterface {
  name = 'AddIntegrationWakeups1770000000400';

  up(runner: QueryRunner): Promise<void> {
    return WAKEUPS.up(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return WAKEUPS.down(runner);
  }
}
