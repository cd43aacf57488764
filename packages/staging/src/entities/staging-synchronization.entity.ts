// One task for one target server: the row the runner claims, leases and records the outcome on.
import { SynchronizationRow } from '@syncbus/core/internal';
import { Column, Entity } from 'typeorm';

/** Row of `staging_synchronization` (Kentico's SynchronizationInfo); columns from core's `synchronizationColumns`. */
@Entity('staging_synchronization')
export class StagingSynchronization extends SynchronizationRow {
  @Column({ name: 'server_id', type: 'integer' })
  serverId!: number;
}
