// `integration_connector`: one row per loaded connector (Kentico's IntegrationConnectorInfo).
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { epochMs } from '@syncbus/core';

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

  @Column({ type: 'boolean', default: true })
  enabled!: boolean;

  /** JSON of the config entry as written (secrets only as "env:NAME" references, never their values). */
  @Column({ type: 'text', default: '{}' })
  config!: string;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: number;
}
