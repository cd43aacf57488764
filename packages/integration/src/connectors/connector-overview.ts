// What a person sees of each connector (CLI `connectors list|check`, the admin API): its row, whether it works
// now and why not, and what waits in its two queues.
import { inject, injectable } from '@syncbus/core';
import type { QueueLag, QueueLagSource } from '@syncbus/server';
import {
  IntegrationConnectorInfoProvider,
  type IntegrationConnectorInfo,
} from '../integration-connector-info-provider';
import { IntegrationSettings } from '../integration-settings';
import { callWithTimeLimit } from '../processing/connector-call';
import {
  IntegrationSynchronizations,
  type IntegrationQueueStats,
} from '../processing/integration-synchronizations';
import { IntegrationTaskProcessor } from '../processing/integration-task-processor';
import { IntegrationConnectorRegistry } from './integration-connector-registry';

/** One connector as an operator sees it. */
export interface ConnectorState {
  readonly name: string;
  readonly displayName: string;
  readonly package: string | null;
  readonly version: string | null;
  readonly enabled: boolean;
  /** Paused by an operator (tasks are logged and wait); `paused` then says so. */
  readonly pausedByOperator: boolean;
  /** Why it does not work now; `until`: when it is probed next, null when only a config change mends it. */
  readonly paused: { readonly reason: string; readonly until: number | null } | null;
  readonly outgoing: IntegrationQueueStats;
  readonly incoming: IntegrationQueueStats;
}

/** The result of a connector's `check()`, as a person reads it. */
export interface ConnectorCheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly message: string;
}

const EMPTY: IntegrationQueueStats = { pending: 0, failed: 0, oldestPendingAt: null };

/** Reads connectors' states and runs their checks. */
@injectable()
export class ConnectorOverview implements QueueLagSource {
  constructor(
    @inject(IntegrationConnectorInfoProvider) private readonly infos: IntegrationConnectorInfoProvider,
    @inject(IntegrationConnectorRegistry) private readonly registry: IntegrationConnectorRegistry,
    @inject(IntegrationSynchronizations) private readonly synchronizations: IntegrationSynchronizations,
    @inject(IntegrationTaskProcessor) private readonly processor: IntegrationTaskProcessor,
    @inject(IntegrationSettings) private readonly settings: IntegrationSettings,
  ) {}

  /** Every connector with a row, by name (one this node does not load shows why). */
  async all(): Promise<ConnectorState[]> {
    const [infos, outgoing, incoming] = await Promise.all([
      this.infos.getIntegrationConnectors(),
      this.synchronizations.stats('outgoing'),
      this.synchronizations.stats('incoming'),
    ]);
    return infos.map((info) => this.state(info, outgoing, incoming));
  }

  /** The connector named `name`; throws `ConnectorNotFoundError` when this node has no such connector row. */
  async get(name: string): Promise<ConnectorState> {
    const info = await this.infos.getIntegrationConnectorInfo(name);
    if (!info) throw this.registry.notFound(name);
    const [outgoing, incoming] = await Promise.all([
      this.synchronizations.stats('outgoing'),
      this.synchronizations.stats('incoming'),
    ]);
    return this.state(info, outgoing, incoming);
  }

  /**
   * Runs the loaded connector's `check()` within `integration.callTimeoutMs`: ok, or what failed (a config or init
   * problem fails without calling it). The drain's own probing is unaffected.
   */
  async check(name: string): Promise<ConnectorCheckResult> {
    const connector = this.registry.get(name);
    try {
      if (connector.problem && connector.problem.kind !== 'check') throw new Error(connector.problem.message);
      await callWithTimeLimit(() => connector.instance.check(), this.settings.callTimeoutMs, `${name}.check`);
      return { name, ok: true, message: 'ok' };
    } catch (error) {
      return { name, ok: false, message: (error as Error).message };
    }
  }

  /** Both queues of every connector as lags for the admin API's `GET /node`. */
  async queueLag(): Promise<QueueLag[]> {
    return (await this.all()).flatMap((c) =>
      (['outgoing', 'incoming'] as const).map((direction) => ({
        kind: 'connector' as const,
        name: c.name,
        direction,
        ...c[direction],
      })),
    );
  }

  private state(
    info: IntegrationConnectorInfo,
    outgoing: Map<number, IntegrationQueueStats>,
    incoming: Map<number, IntegrationQueueStats>,
  ): ConnectorState {
    const loaded = this.registry.find(info.connectorName);
    // This process's own finding first; else what the node running the drain recorded in the row.
    const paused = !loaded
      ? { reason: 'not loaded on this node: its package is not in the config', until: null }
      : info.connectorPaused
        ? { reason: 'paused by an operator; its tasks are logged and wait until it is resumed', until: null }
        : loaded.problem
          ? { reason: loaded.problem.message, until: this.processor.pausedUntil(loaded.id) ?? null }
          : info.connectorProblem !== null && info.connectorEnabled
            ? { reason: info.connectorProblem, until: info.connectorProblemUntil }
            : null;
    return {
      name: info.connectorName,
      displayName: info.connectorDisplayName,
      package: info.connectorPackage,
      version: info.connectorVersion,
      enabled: info.connectorEnabled,
      pausedByOperator: info.connectorPaused,
      paused,
      outgoing: outgoing.get(info.connectorId) ?? EMPTY,
      incoming: incoming.get(info.connectorId) ?? EMPTY,
    };
  }
}
