// The two synchronization tables (outgoing and incoming), one row per task and connector, drained by LeaseQueue.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from './epoch-ms-transformer';

// Columns of core's `synchronizationColumns('connector_id')`; the ORM only inserts rows, LeaseQueue does the rest.
abstract class SynchronizationColumns {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'task_id', type: 'integer' })
  taskId!: number;

  @Column({ name: 'connector_id', type: 'integer' })
  connectorId!: number;

  @Column({ name: 'object_key', type: 'varchar', length: 400 })
  objectKey!: string;

  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: string;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  @Column({ name: 'next_attempt_at', type: 'bigint', default: 0, transformer: epochMs })
  nextAttemptAt!: number;

  @Column({ name: 'last_run_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastRunAt!: number | null;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'lease_owner', type: 'varchar', length: 200, nullable: true })
  leaseOwner!: string | null;

  @Column({ name: 'lease_expires_at', type: 'bigint', nullable: true, transformer: epochMs })
  leaseExpiresAt!: number | null;
}

/** Outgoing (internal) tasks waiting for a connector. */
@Entity('integration_synchronization')
export class IntegrationSynchronizationEntity extends SynchronizationColumns {}

/** Incoming (external) tasks waiting to be applied to the host. */
@Entity('integration_external_synchronization')
export class IntegrationExternalSynchronizationEntity extends SynchronizationColumns {}
