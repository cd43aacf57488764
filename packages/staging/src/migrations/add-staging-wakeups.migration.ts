// On PostgreSQL, logged tasks wake the delivery workers of every process at commit instead of at their next poll.
import { queueWakeupTrigger } from '@syncbus/core';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const WAKEUPS = queueWakeupTrigger({ table: 'staging_synchronization', targetColumn: 'server_id' });

/** The wake-up trigger of `staging_synchronization` (docs/scaling.md); nothing on SQLite. */
export class AddStagingWakeups1770000000100 implements MigrationInterface {
  name = 'AddStagingWakeups1770000000100';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const statement of WAKEUPS.up) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const statement of WAKEUPS.down) await runner.query(statement);
  }
}
