// One operator action as the audit trail keeps it: who (the token's name), what, on which ids or filter, when,
// and how it ended.
import { epochMs } from '@syncbus/core/internal';
import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A row of `admin_audit`. */
@Entity('admin_audit')
export class AdminAuditEntry {
  @PrimaryGeneratedColumn()
  id!: number;

  /** When (epoch ms). */
  @Index()
  @Column({ type: 'bigint', transformer: epochMs })
  at!: number;

  /** The name of the token that acted (`admin.tokens[].name`). */
  @Column({ type: 'varchar', length: 100 })
  actor!: string;

  /** What was done, e.g. `servers.disable`, `staging.tasks.retry`. */
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  /** What it was done to, as JSON: `{ server }`, `{ taskIds, server? }`. */
  @Column({ type: 'text' })
  target!: string;

  /** `ok`, or the refusal's code. */
  @Column({ type: 'varchar', length: 50 })
  outcome!: string;

  /** What changed, in words (e.g. `3 rows retried`). */
  @Column({ type: 'text' })
  detail!: string;
}
