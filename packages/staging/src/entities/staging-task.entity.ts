// A logged change of one staged object, waiting to be sent to the servers it has synchronization rows for.
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** Row of `staging_task` (Kentico's StagingTaskInfo). The id orders tasks: lower ids are sent first. */
@Entity('staging_task')
@Index('IDX_staging_task_object', ['objectType', 'objectGuid'])
@Index('IDX_staging_task_object_type', ['objectType', 'id'])
export class StagingTask {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Globally unique id of the task; the receiver's ledger uses it to apply each task once. */
  @Column({ type: 'varchar', length: 36, unique: true })
  guid!: string;

  /** `create`, `update`, `delete` or a host-defined type. */
  @Column({ name: 'task_type', type: 'varchar', length: 50 })
  taskType!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 100 })
  objectType!: string;

  /** The object's identity (GUID or code name) as a string. */
  @Column({ name: 'object_guid', type: 'varchar', length: 200 })
  objectGuid!: string;

  /** The object's local primary key on this node (informational). */
  @Column({ name: 'object_id', type: 'varchar', length: 100, nullable: true })
  objectId!: string | null;

  @Column({ type: 'varchar', length: 400 })
  title!: string;

  /** The object's snapshot values; references as `{ $ref: { type, identity } }`. */
  @Column({ type: 'simple-json' })
  data!: Record<string, unknown>;

  /** When the task was logged (epoch ms). */
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  /** Servers the change already passed through, oldest first; they get no synchronization row. */
  @Column({ type: 'simple-json' })
  origin!: string[];

  /** Users whose changes this task carries (several when collapsing replaced older tasks). */
  @Column({ type: 'simple-json' })
  users!: string[];

  /** Task groups the task belongs to. */
  @Column({ type: 'simple-json' })
  groups!: string[];

  /**
   * The object's staged fields as this node expects the target to hold them, when a conflict resolved here
   * says so (docs/conflicts.md, bi-directional staging); the target compares with these instead of its own base.
   */
  @Column({ type: 'simple-json', nullable: true })
  base?: Record<string, unknown> | null;
}
