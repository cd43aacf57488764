// On PostgreSQL, logged tasks wake the delivery workers of every process at commit instead of at their next poll.
import { queueWakeupTriggers } from '@syncbus/core/internal';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const WAKEUPS = queueWakeupTriggers({ table: 'staging_synchronization', targetColumn: 'server_id' });

/** The wake-up trigger of `staging_synchronization` (docs/scaling.md); nothing on SQLite. */
export class AddStagingWakeups1770000000100 implements MigrationInterface {
  name = 'AddStagingWakeups1770000000100';

  up(runner: QueryRunner): Promise<void> {
    return WAKEUPS.up(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return WAKEUPS.down(runner);
  }
}
