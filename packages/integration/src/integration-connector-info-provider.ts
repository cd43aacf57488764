// Kentico's IntegrationConnectorInfoProvider: reads the integration_connector rows.
import { inject, injectable, Storage } from '@syncbus/core';
import { IntegrationConnectorRegistry } from './connectors/integration-connector-registry';
import type { LoadedConnector } from './connectors/loaded-connector';
import { IntegrationTaskProcessor } from './processing/integration-task-processor';
import { IntegrationConnectorEntity } from './storage/integration-connector.entity';

/**
 * A connector row (Kentico's IntegrationConnectorInfo). `connectorConfig` is the validated config with secret
 * references, never secrets (`{}` while the config is refused).
 */
export interface IntegrationConnectorInfo {
  readonly connectorId: number;
  readonly connectorName: string;
  readonly connectorDisplayName: string;
  readonly connectorPackage: string | null;
  readonly connectorVersion: string | null;
  readonly connectorEnabled: boolean;
  readonly connectorConfig: Record<string, unknown>;
}

const toInfo = (
  row: IntegrationConnectorEntity,
  loaded: LoadedConnector | undefined,
): IntegrationConnectorInfo => ({
  connectorId: row.id,
  connectorName: row.name,
  connectorDisplayName: row.displayName,
  connectorPackage: row.packageName,
  connectorVersion: row.version,
  // A connector the config does not list is off on this node whatever its switch says.
  connectorEnabled: Boolean(row.enabled) && (loaded?.listed ?? true),
  connectorConfig: JSON.parse(row.config) as Record<string, unknown>,
});

/** Reads and changes connector rows. */
@injectable()
export class IntegrationConnectorInfoProvider {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {}

  /** The row of the connector named `name`, or undefined. */
  async getIntegrationConnectorInfo(name: string): Promise<IntegrationConnectorInfo | undefined> {
    const row = await this.storage.dataSource
      .getRepository(IntegrationConnectorEntity)
      .findOne({ where: { name } });
    return row ? toInfo(row, this.registry.find(row.name)) : undefined;
  }

  /** Every connector row, by name. */
  async getIntegrationConnectors(): Promise<IntegrationConnectorInfo[]> {
    const rows = await this.storage.dataSource
      .getRepository(IntegrationConnectorEntity)
      .find({ order: { name: 'ASC' } });
    return rows.map((row) => toInfo(row, this.registry.find(row.name)));
  }

  /** Enables or disables a loaded connector; its queued tasks wait while it is disabled. */
  async setIntegrationConnectorEnabled(name: string, enabled: boolean): Promise<void> {
    await this.registry.setEnabled(name, enabled);
    this.processor.wake(this.registry.get(name).id);
  }
}
