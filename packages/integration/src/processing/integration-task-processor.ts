// Runs one drain per connector in the background and routes immediate processing to the right drain.
import { CoreSettings, inject, injectable, Logger, type OnStart, type OnStop } from '@syncbus/core';
import { newLeaseOwner, QueueWorker, roleDelivers, TargetOutages } from '@syncbus/core/internal';
import { IntegrationConnectorRegistry } from '../connectors/integration-connector-registry';
import type { LoadedConnector } from '../connectors/loaded-connector';
import { IncomingTaskApplier } from '../incoming/incoming-task-applier';
import { IntegrationSettings } from '../integration-settings';
import type { IntegrationTask } from '../tasks/integration-task';
import type { TaskDirection } from '../tasks/integration-task-store';
import { ConnectorDrain, type DrainContext } from './connector-drain';
import type { IntegrationProcessResult } from './integration-process-result';
import { IntegrationQueues } from './integration-queues';
import { IntegrationSyncLog } from './integration-sync-log';

/**
 * The integration processor of this node. Each connector drains in its own loop, so a slow or hanging connector
 * (bounded by `integration.callTimeoutMs` per call) never holds up another one.
 */
@injectable()
export class IntegrationTaskProcessor implements OnStart, OnStop {
  private readonly drains = new Map<number, ConnectorDrain>();
  private readonly context: DrainContext;
  private started = false;
  private readonly delivers: boolean;

  constructor(
    @inject(IntegrationSettings) settings: IntegrationSettings,
    @inject(CoreSettings) core: CoreSettings,
    @inject(IntegrationQueues) queues: IntegrationQueues,
    @inject(IntegrationSyncLog) syncLog: IntegrationSyncLog,
    @inject(IncomingTaskApplier) incoming: IncomingTaskApplier,
    @inject(IntegrationConnectorRegistry) registry: IntegrationConnectorRegistry,
    @inject(Logger) logger: Logger,
  ) {
    this.delivers = roleDelivers(core.role);
    // One lease owner and one outage backoff per connector for both directions.
    const owner = newLeaseOwner();
    const outages = new TargetOutages();
    const onHeartbeatError = (error: unknown, connectorId: number) =>
      logger.warn({ err: error, connectorId }, 'could not renew integration leases');
    const worker = (queue: QueueWorker['queue']) =>
      new QueueWorker(queue, { owner, outages, onHeartbeatError });
    const refreshEnabled = (connector: LoadedConnector) => registry.refreshEnabled(connector);
    const recordProblem = (connector: LoadedConnector, until: number | null) =>
      registry.recordProblem(connector, until);
    this.context = {
      settings,
      workers: { outgoing: worker(queues.outgoing), incoming: worker(queues.incoming) },
      syncLog,
      incoming,
      logger,
      refreshEnabled,
      recordProblem,
    };
  }

  /** Lease owner id of this node's processor. */
  get owner(): string {
    return this.context.workers.outgoing.owner;
  }

  /** Creates the drain of each connector; `onStart()` sets them running. */
  add(connector: LoadedConnector): void {
    if (!this.drains.has(connector.id))
      this.drains.set(connector.id, new ConnectorDrain(connector, this.context));
  }

  /**
   * Checks every connector, then starts its drain: pending tasks (from before a restart too) are processed from
   * here on. Resolves when every connector's state (ready, or its problem) is known and recorded. A process whose
   * role does not deliver (`receiver`, `log-only`) starts no drain: the node's workers process its tasks.
   */
  async onStart(): Promise<void> {
    if (!this.delivers) {
      this.context.logger.info('integration: this process does not process tasks (role)');
      return;
    }
    this.started = true;
    await Promise.all([...this.drains.values()].map((drain) => drain.start()));
  }

  /** Stops every drain after its task in hand and gives back the leases this node holds. */
  async onStop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.drains.values()].map((d) => d.stop()));
    const { workers } = this.context;
    await Promise.all([workers.outgoing.stop(), workers.incoming.stop()]);
  }

  /**
   * Resolves once every drain finished what it has started, e.g. the first pass after `onStart()` over tasks left
   * from before (tests wait for it before they prove that nothing more happens without a wake).
   */
  async settled(): Promise<void> {
    await Promise.all([...this.drains.values()].map((d) => d.settled()));
  }

  /** When a connector paused by a failed check or an outage is probed next (epoch ms), else undefined. */
  pausedUntil(connectorId: number): number | undefined {
    return this.drains.get(connectorId)?.pausedUntil;
  }

  /** The `QueueWakeups` channel on which other processes' commits of due tasks of `direction` are heard. */
  wakeupChannel(direction: TaskDirection): string {
    return this.context.workers[direction].queue.wakeupChannel;
  }

  /** Work was logged for the connector: let its drain look now. */
  wake(connectorId: number): void {
    if (this.started) this.drains.get(connectorId)?.wake();
  }

  /**
   * Processes one outgoing task of `connector` now, in order with its drain; undefined where this process does
   * not process tasks (its role), leaving the task to a worker.
   */
  processNow(
    connector: LoadedConnector,
    task: IntegrationTask,
  ): Promise<IntegrationProcessResult | undefined> {
    if (!this.delivers) return Promise.resolve(undefined);
    const drain = this.drains.get(connector.id);
    return drain ? drain.processNow(task) : Promise.resolve(undefined);
  }
}
