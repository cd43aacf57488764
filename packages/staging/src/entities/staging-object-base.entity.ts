// The receiver's base per object and source: its staged fields as staging last left them, for conflict detection.
import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** Row of `staging_object_base`, written in the same transaction as the task that left the object so. */
@Entity('staging_object_base')
export class StagingObjectBase {
  @PrimaryColumn({ name: 'source_server', type: 'varchar', length: 100 })
  sourceServer!: string;

  /** `<object type>:<identity>`, as the synchronization rows key objects (one indexed column to look up by). */
  @PrimaryColumn({ name: 'object_key', type: 'varchar', length: 400 })
  objectKey!: string;

  /**
   * The staged fields as JSON text (on PostgreSQL as jsonb prints it, keys reordered); only ever compared in
   * canonical form (`canonicalData`).
   */
  @Column({ type: 'text' })
  data!: string;

  /** The task that left the object in this state. */
  @Column({ name: 'task_guid', type: 'varchar', length: 36 })
  taskGuid!: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
