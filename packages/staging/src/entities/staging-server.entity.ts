// A target server this node stages to; the shared secret is kept as a reference (`env:NAME`), never as a value.
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Row of `staging_server` (Kentico's ServerInfo). */
@Entity('staging_server')
export class StagingServer {
  @PrimaryGeneratedColumn()
  id!: number;

  /** Unique name; should equal the target's `nodeName` so loops between servers are recognised. */
  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 200 })
  displayName!: string;

  /** Base URL; tasks go to `{url}/syncbus/staging/v1/tasks`. */
  @Column({ type: 'varchar', length: 1000 })
  url!: string;

  /** Disabled: no tasks are logged for it (Kentico's meaning); what waits stays. */
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Paused by an operator: tasks are still logged for it, nothing is sent until it is resumed. */
  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** Where the shared secret is read from when sending, e.g. `env:SYNCBUS_SECRET_QA`. */
  @Column({ name: 'secret_ref', type: 'varchar', length: 200 })
  secretRef!: string;
}
