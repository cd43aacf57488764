// `integration_received_task`: the ledger of incoming task guids per connector, so a redelivered task is logged once.
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** One incoming task (connector, guid) that was logged; the migration creates the same table. */
@Entity('integration_received_task')
@Index('IDX_integration_received_task_guid', ['connectorId', 'taskGuid'], { unique: true })
export class IntegrationReceivedTaskEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'connector_id', type: 'integer' })
  connectorId!: number;

  @Column({ name: 'task_guid', type: 'varchar', length: 36 })
  taskGuid!: string;

  @Column({ name: 'received_at', type: 'bigint', transformer: epochMs })
  receivedAt!: number;
}
