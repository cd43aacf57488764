// Has a connector's drain process a task the moment it is logged, for the connectors auto-sync covers.
import { ConfigError, inject, injectable } from '@syncbus/core';
import {
  IntegrationConnectorRegistry,
  IntegrationTaskProcessor,
  type IntegrationTaskEventArgs,
} from '@syncbus/integration';
import { IntegrationAutoSyncSettings } from './integration-auto-sync-settings';

/**
 * Wakes the integration processor's drain of a connector instead of calling the connector itself: the drain claims
 * in logged order through the queue's leases, takes a burst in batches (one wake or a thousand, one round), keeps
 * one call in flight per connector, backs off from a connector whose `check()` fails, and records every result
 * as the background processing does. There is no second queue.
 */
@injectable()
export class IntegrationAutoSyncTrigger {
  constructor(
    @inject(IntegrationAutoSyncSettings) private readonly settings: IntegrationAutoSyncSettings,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
  ) {}

  /** Throws `ConfigError` when `integrationAutoSync.connectors` names a connector no loaded plugin registers. */
  validate(): void {
    const names = this.settings.connectors ?? [];
    const loaded = this.registry.all().map((c) => c.name);
    const unknown = names.filter((name) => !loaded.includes(name));
    if (unknown.length === 0) return;
    throw new ConfigError(
      unknown.map((name) => ({
        path: `integrationAutoSync.connectors.${names.indexOf(name)}`,
        message: `no loaded plugin registers a connector '${name}' (loaded: ${loaded.join(', ') || 'none'}); add its package to "plugins" or fix the name`,
      })),
    );
  }

  /** A task was logged for `args.connectorName`: process it now if auto-sync covers that connector. */
  taskLogged(args: IntegrationTaskEventArgs): void {
    const connector = this.registry.find(args.connectorName);
    if (connector && this.covers(connector.name, connector.enabled)) this.processor.wake(connector.id);
  }

  /**
   * Another process committed due work for the connector with this id (`connectorId` undefined: maybe for any,
   * after the listening connection came back): wake the drains auto-sync covers. Not gated on this process's
   * idea of `enabled`: the connector may have been enabled over there, and the pass reads the flag again.
   */
  wakeConnector(connectorId: number | undefined): void {
    for (const connector of this.registry.all()) {
      if (connectorId !== undefined && connector.id !== connectorId) continue;
      if (this.covers(connector.name, true)) this.processor.wake(connector.id);
    }
  }

  /** Wakes every covered connector (at start: what was left pending goes now). */
  wakeAll(): void {
    for (const connector of this.registry.all()) {
      if (this.covers(connector.name, connector.enabled)) this.processor.wake(connector.id);
    }
  }

  private covers(name: string, enabled: boolean): boolean {
    if (!this.settings.enabled || !enabled) return false;
    return this.settings.connectors ? this.settings.connectors.includes(name) : true;
  }
}
