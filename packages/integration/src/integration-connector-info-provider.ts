// Kentico's IntegrationConnectorInfoProvider: reads the integration_connector rows.
import { inject, injectable, Storage, type AlsoInTransaction } from '@syncbus/core';
import { IntegrationConnectorRegistry } from './connectors/integration-connector-registry';
import type { LoadedConnector } from './connectors/loaded-connector';
import { connectorHoldPrefix } from './processing/connector-drain';
import { IntegrationQueues } from './processing/integration-queues';
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
  /** Paused by an operator: its tasks are logged, none is processed until it is resumed. */
  readonly connectorPaused: boolean;
  /** What holds the connector as the node running its drain last found (a failed check, an outage), or null. */
  readonly connectorProblem: string | null;
  /** When that node probes it next (epoch ms), or null. */
  readonly connectorProblemUntil: number | null;
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
  connectorPaused: Boolean(row.paused),
  connectorProblem: row.problem,
  connectorProblemUntil: row.problemUntil,
});

/** Reads and changes connector rows. */
@injectable()
export class IntegrationConnectorInfoProvider {
  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
    @inject(IntegrationQueues) private readonly queues: IntegrationQueues,
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

  /**
   * Pauses or resumes a loaded connector: while paused its tasks are logged and wait; resumed, they are processed in
   * logged order. `alsoInTransaction` (an audit row) commits with the change.
   */
  async setIntegrationConnectorPaused(
    name: string,
    paused: boolean,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<void> {
    await this.registry.setPaused(name, paused, alsoInTransaction);
    if (!paused) await this.releaseHeld(name);
  }

  /**
   * Enables or disables a loaded connector; its queued tasks wait while it is disabled. `alsoInTransaction` (an
   * audit row) commits with the change.
   */
  async setIntegrationConnectorEnabled(
    name: string,
    enabled: boolean,
    alsoInTransaction?: AlsoInTransaction,
  ): Promise<void> {
    await this.registry.setEnabled(name, enabled, alsoInTransaction);
    if (enabled) await this.releaseHeld(name);
  }

  /** The rows a disabled or paused drain put off are due again (from any process), and the drain looks now. */
  private async releaseHeld(name: string): Promise<void> {
    const { id } = this.registry.get(name);
    await this.queues.outgoing.makeDueHeldBy(id, connectorHoldPrefix(name));
    await this.queues.incoming.makeDueHeldBy(id, connectorHoldPrefix(name));
    this.processor.wake(id);
  }
}
