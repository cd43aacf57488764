// On PostgreSQL, a delivery's claim and settle each cost one round trip, through the queue's batch function.
import { queueBatchFunctions } from '@syncbus/core/internal';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const BATCH = queueBatchFunctions('staging_synchronization');

/** `staging_synchronization_batch` (docs/scaling.md); nothing on SQLite. */
export class AddStagingQueueBatch1790000000100 implements MigrationInterface {
  name = 'AddStagingQueueBatch1790000000100';

  up(runner: QueryRunner): Promise<void> {
    return BATCH.up(runner);
  }

  down(runner: QueryRunner): Promise<void> {
    return BATCH.down(runner);
  }
}
