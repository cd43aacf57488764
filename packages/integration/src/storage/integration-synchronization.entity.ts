// The two synchronization tables (outgoing and incoming), one row per task and connector, drained by LeaseQueue.
import { SynchronizationRow } from '@syncbus/core/internal';
import { Column, Entity } from 'typeorm';

// Columns of core's `synchronizationColumns('connector_id')`.
abstract class ConnectorSynchronizationRow extends SynchronizationRow {
  @Column({ name: 'connector_id', type: 'integer' })
  connectorId!: number;
}

/** Outgoing (internal) tasks waiting for a connector. */
@Entity('integration_synchronization')
export class IntegrationSynchronizationEntity extends ConnectorSynchronizationRow {}

/** Incoming (external) tasks waiting to be applied to the host. */
@Entity('integration_external_synchronization')
export class IntegrationExternalSynchronizationEntity extends ConnectorSynchronizationRow {}
