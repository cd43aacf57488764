// A conflict on the receiver: a task met an object changed on this node since staging last left it.
import { Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** How the task met the object: changed here, created on both sides, or deleted here. */
export type ConflictKind = 'changed' | 'created-on-both' | 'deleted-on-target';

/**
 * What became of the conflict: held for a person, or handled by its policy (`overwritten`, `kept-target`,
 * `merged`), or resolved by a person or a `conflict` handler (`took-source`, `took-target`, `took-merged`), or
 * `superseded`: the source replaced the held task by a newer one of the same object, whose conflict holds now.
 */
export type ConflictOutcome =
  | 'held'
  | 'overwritten'
  | 'kept-target'
  | 'merged'
  | 'took-source'
  | 'took-target'
  | 'took-merged'
  | 'superseded';

/** Row of `staging_conflict`: one per task that met a conflict (a held task sent again updates its row). */
@Entity('staging_conflict')
@Unique('UQ_staging_conflict_task', ['sourceServer', 'taskGuid'])
@Index('IDX_staging_conflict_status', ['status', 'id'])
export class StagingConflict {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'source_server', type: 'varchar', length: 100 })
  sourceServer!: string;

  @Column({ name: 'task_guid', type: 'varchar', length: 36 })
  taskGuid!: string;

  @Column({ name: 'task_type', type: 'varchar', length: 50 })
  taskType!: string;

  @Column({ name: 'object_type', type: 'varchar', length: 100 })
  objectType!: string;

  @Column({ name: 'object_guid', type: 'varchar', length: 200 })
  objectGuid!: string;

  @Column({ type: 'varchar', length: 400 })
  title!: string;

  @Column({ type: 'varchar', length: 30 })
  kind!: ConflictKind;

  @Column({ type: 'varchar', length: 20 })
  policy!: string;

  /** `open` while held; `resolved` once handled by its policy, a handler or a person. */
  @Column({ type: 'varchar', length: 10 })
  status!: 'open' | 'resolved';

  @Column({ type: 'varchar', length: 20 })
  outcome!: ConflictOutcome;

  /** Canonical JSON of the fields as staging last left them (null: no base). */
  @Column({ type: 'text', nullable: true })
  base!: string | null;

  /** Canonical JSON of the task's fields (null for a delete). */
  @Column({ type: 'text', nullable: true })
  source!: string | null;

  /** Canonical JSON of the object on this node when the task arrived (null: it was not here). */
  @Column({ type: 'text', nullable: true })
  target!: string | null;

  /** The task's whole wire form, so a held task can be applied when the conflict is resolved. */
  @Column({ type: 'text' })
  task!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: number;

  @Column({ name: 'resolved_at', type: 'bigint', transformer: epochMs, nullable: true })
  resolvedAt!: number | null;

  /** Who resolved it (a user name, `policy` or `handler`). */
  @Column({ name: 'resolved_by', type: 'varchar', length: 200, nullable: true })
  resolvedBy!: string | null;
}
