// The columns every synchronization table shares, as a TypeORM base entity (the tables come from `synchronizationColumns`).
import { Column, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '../storage/epoch-ms.transformer';

/**
 * Base class of synchronization entities: extend it, add the target column (`server_id`, `connector_id`) and
 * `@Entity(table)`. The ORM only inserts and reads these rows; `LeaseQueue` claims and records them.
 */
export abstract class SynchronizationRow {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'task_id', type: 'integer' })
  taskId!: number;

  /** `objectType:objectGuid`; rows of the same key for the same target are delivered in task order. */
  @Column({ name: 'object_key', type: 'varchar', length: 400 })
  objectKey!: string;

  /** `pending` (claimable when due) or `failed` (out of attempts; waits for a retry or delete). */
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status!: string;

  /** Failed attempts so far. */
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
