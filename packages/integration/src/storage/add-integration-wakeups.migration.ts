// On PostgreSQL, logged integration tasks (both directions) wake the connector drains of every process at commit.
import { queueWakeupTrigger } from '@syncbus/core';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const TABLES = [
  queueWakeupTrigger({ table: 'integration_synchronization', targetColumn: 'connector_id' }),
  queueWakeupTrigger({ table: 'integration_external_synchronization', targetColumn: 'connector_id' }),
];

/** The wake-up triggers of both integration queues (docs/scaling.md); nothing on SQLite. */
export class AddIntegrationWakeups1770000000400 implements MigrationInterface {
  name = 'AddIntegrationWakeups1770000000400';

  async up(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const statement of TABLES.flatMap((t) => t.up)) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    if (runner.connection.driver.options.type !== 'postgres') return;
    for (const statement of TABLES.flatMap((t) => t.down)) await runner.query(statement);
  }
}
