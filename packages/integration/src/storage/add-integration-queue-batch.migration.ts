// On PostgreSQL, a connector drain's claim costs one round trip, through each queue's batch function.
import { queueBatchFunctions } from '@syncbus/core/internal';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = queueBatchFunctions('integration_synchronization', 'integration_external_synchronization');

/** The batch functions of both integration queues (docs/scaling.md); nothing on SQLite. */
export class AddIntegrationQueueBatch1790000000400 implements MigrationInterface {
  name = 'AddIntegrationQueueBatch1790000000400';

  up(runner: QueryRunner): Promise<void> {
    return BATCH.up(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return BATCH.down(runner);
  }
}
