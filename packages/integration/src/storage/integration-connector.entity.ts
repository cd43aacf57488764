// `integration_connector`: one row per loaded connector (Kentico's IntegrationConnectorInfo).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core/internal';

/** A connector as stored: name, display name, package, enabled, config (as written in the config file). */
@Entity('integration_connector')
export class IntegrationConnectorEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 200, unique: true })
  name!: string;

  @Column({ name: 'display_name', type: 'varchar', length: 300 })
  displayName!: string;

  /** npm package the connector came from; null for one the host registered in code. */
  @Column({ name: 'package', type: 'varchar', length: 300, nullable: true })
  packageName!: string | null;

  @Column({ type: 'varchar', length: 50, nullable: true })
  version!: string | null;

  /** Disabled: no tasks are logged for it (Kentico's meaning); queued ones wait. */
  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** Paused by an operator: tasks are still logged for it, none is processed until it is resumed. */
  @Column({ type: 'boolean', default: false })
  paused!: boolean;

  /** JSON of the config entry as written (secrets only as "env:NAME" references, never their values). */
  @Column({ type: 'text', default: '{}' })
  config!: string;

  /**
   * Why the connector cannot work now, as the node running its drain last found it (a failed check or an outage);
   * null while it works. Commands in other processes (`syncbus connectors list`) read it here.
   */
  @Column({ type: 'varchar', length: 1000, nullable: true })
  problem!: string | null;

  /** When that node probes the connector next (epoch ms); null with no problem. */
  @Column({ name: 'problem_until', type: 'bigint', nullable: true, transformer: epochMs })
  problemUntil!: number | null;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
