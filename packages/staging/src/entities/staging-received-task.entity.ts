// The receiver's ledger: which tasks of which source were applied, so a redelivered task changes nothing.
import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** Row of `staging_received_task`, written in the same transaction as the task's changes. */
@Entity('staging_received_task')
@Unique('UQ_staging_received_task', ['sourceServer', 'taskGuid'])
export class StagingReceivedTask {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'source_server', type: 'varchar', length: 100 })
  sourceServer!: string;

  @Column({ name: 'task_guid', type: 'varchar', length: 36 })
  taskGuid!: string;

  @Column({ name: 'applied_at', type: 'bigint', transformer: epochMs })
  appliedAt!: number;
}
