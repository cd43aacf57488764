// `integration_task`: an outgoing or incoming task, one per connector it is for.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** A stored integration task; `data` is JSON (`{ object, related }` outgoing, `{ externalObject }` incoming). */
@Entity('integration_task')
export class IntegrationTaskEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 36 })
  guid!: string;

  @Column({ type: 'boolean', default: false })
  inbound!: boolean;

  @Column({ name: 'task_type', type: 'varchar', length: 50 })
  taskType!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 200 })
  objectType!: string;

  @Column({ name: 'object_guid', type: 'varchar', length: 400 })
  objectGuid!: string;

  @Column({ type: 'varchar', length: 400 })
  title!: string;

  @Column({ type: 'text' })
  data!: string;

  @Column({ name: 'data_type', type: 'varchar', length: 16 })
  dataType!: string;

  @Column({ name: 'process_type', type: 'varchar', length: 16 })
  processType!: string;

  @Column({ name: 'user_name', type: 'varchar', length: 200, nullable: true })
  userName!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;
}
