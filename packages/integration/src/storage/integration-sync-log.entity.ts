// `integration_sync_log`: every error a connector or an incoming task produced, kept after the task succeeds or goes.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** One recorded error, with enough of its task to read without the task (which may be gone). */
@Entity('integration_sync_log')
export class IntegrationSyncLogEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'connector_id', type: 'integer' })
  connectorId!: number;

  /** The task's id while it existed; 0 for a synchronous task that was never queued. */
  @Column({ name: 'task_id', type: 'integer' })
  taskId!: number;

  @Column({ name: 'task_guid', type: 'varchar', length: 36 })
  taskGuid!: string;

  @Column({ type: 'boolean', default: false })
  inbound!: boolean;

  @Column({ name: 'task_type', type: 'varchar', length: 50 })
  taskType!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 200 })
  objectType!: string;

  @Column({ name: 'object_guid', type: 'varchar', length: 400 })
  objectGuid!: string;

  /** `Error` or `ErrorAndSkip`. */
  @Column({ type: 'varchar', length: 16 })
  result!: string;

  @Column({ type: 'text' })
  error!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
