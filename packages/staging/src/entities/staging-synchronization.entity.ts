// One task for one target server: the row the runner claims, leases and records the outcome on.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from './epoch-ms.transformer';

/** Row of `staging_synchronization` (Kentico's SynchronizationInfo); columns from core's `synchronizationColumns`. */
@Entity('staging_synchronization')
export class StagingSynchronization {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'task_id', type: 'integer' })
  taskId!: number;

  @Column({ name: 'server_id', type: 'integer' })
  serverId!: number;

  /** `objectType:objectGuid`; rows of the same key for the same server are delivered in task order. */
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
