// Keeps one drain loop per target server and kicks them when tasks are logged, so tasks leave as soon as they are
// logged without the logging call ever waiting for the network.
import { CoreSettings, inject, injectable, Logger, type OnStart, type OnStop } from '@syncbus/core';
import {
  DrainLoop,
  QueueWakeups,
  roleDelivers,
  type DrainPass,
  type QueueNextDue,
} from '@syncbus/core/internal';
import {
  ServerDisabledError,
  ServerPausedError,
  ServerInfoProvider,
  UnknownServerError,
  ServersSettings,
  type StagingRunSummary,
} from '@syncbus/staging';
import { StagingQueue, StagingDelivery } from '@syncbus/staging/internal';
import type { ConfigProblem } from '@syncbus/core';
import type { Subscription } from 'rxjs';
import { StagingAutoSyncSettings } from './staging-auto-sync-settings';

/**
 * The engine of the plugin. A discovery loop finds the servers to synchronize (every enabled one, or the configured
 * names), also ones added or enabled later. Each server gets one `DrainLoop` per lane (`maxInFlight`, default one):
 * a pass sends every due task through its lane (claimed in logged order through the staging queue's leases, which
 * also keep lanes off each other's objects) and then sleeps until the next due time. A server that fails as a whole
 * makes its loops back off; its tasks stay pending with the error on their rows.
 */
@injectable()
export class StagingAutoSyncScheduler implements OnStart, OnStop {
  private readonly loops = new Map<number, DrainLoop[]>();
  private discovery?: DrainLoop;
  /** Ends the lanes' passes in hand after their batch when this node stops. */
  private stopping = new AbortController();
  private running = false;
  private wakeup?: Subscription;

  constructor(
    @inject(StagingAutoSyncSettings) private readonly settings: StagingAutoSyncSettings,
    @inject(ServersSettings) private readonly configured: ServersSettings,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(StagingDelivery) private readonly delivery: StagingDelivery,
    @inject(Logger) private readonly logger: Logger,
    @inject(QueueWakeups) private readonly wakeups: QueueWakeups,
    @inject(CoreSettings) private readonly core: CoreSettings,
  ) {}

  /** Server ids that have a drain loop (for tests and the admin view). */
  get serverIds(): number[] {
    return [...this.loops.keys()];
  }

  /**
   * What `stagingAutoSync.servers` names that this node does not have, neither in the `servers` section nor in
   * storage (servers added with `syncbus servers add`). The module's `onCheck`, so `start` and `config check`
   * refuse the same configs.
   */
  async serverProblems(): Promise<ConfigProblem[]> {
    const names = this.settings.servers;
    if (!this.settings.enabled || !names) return [];
    const known = [
      ...new Set([
        ...this.configured.map((s) => s.name),
        ...(await this.servers.getServers()).map((s) => s.name),
      ]),
    ];
    return names.flatMap((name, index) =>
      known.includes(name)
        ? []
        : [
            {
              path: `stagingAutoSync.servers.${index}`,
              message: `no staging server '${name}' exists (known: ${known.join(', ') || 'none'}); add it to "servers" or fix the name`,
            },
          ],
    );
  }

  /** Starts a loop per server; each first drains what was left pending (a crash, a restart, a target that was down). */
  async onStart(): Promise<void> {
    if (!this.settings.enabled || this.running) return;
    if (!roleDelivers(this.core.role)) {
      this.logger.info({ role: this.core.role }, 'staging auto-sync: this process does not deliver (role)');
      return;
    }
    this.stopping = new AbortController();
    this.running = true;
    this.discovery = this.loop('server discovery', () => this.discover());
    this.discovery.start();
    // Tasks logged by other processes on the same PostgreSQL database (web processes, a CLI) wake the server
    // they are for at their commit; a catch-up after the listening connection came back wakes every server.
    this.wakeup = this.wakeups
      .on(this.queue.wakeupChannel)
      .subscribe(({ payload }) => this.kickServer(payload === undefined ? undefined : Number(payload)));
  }

  /**
   * Wakes the loops of one server, or of every server when `serverId` is undefined (the catch-up). A server
   * without loops here (new, or not one auto-sync covers) wakes only discovery.
   */
  private kickServer(serverId: number | undefined): void {
    if (serverId === undefined) return this.kick();
    const lanes = this.loops.get(serverId);
    if (!lanes) return this.discovery?.kick();
    for (const loop of lanes) loop.kick();
  }

  /** Tasks were logged: every server loop looks now (one pass however many kicks), discovery too. */
  kick(): void {
    if (!this.running) return;
    for (const lanes of this.loops.values()) for (const loop of lanes) loop.kick();
    this.discovery?.kick();
  }

  /** Starts no further pass; passes in hand finish their batch, then this node's leases are given back. */
  async onStop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wakeup?.unsubscribe();
    await this.discovery?.stop();
    // A lane's pass in hand ends after the batch in flight; the delivery gives the leases back when it stops.
    this.stopping.abort();
    await Promise.all([...this.loops.values()].flat().map((loop) => loop.stop()));
  }

  private loop(what: string, drain: () => Promise<DrainPass>): DrainLoop {
    return new DrainLoop({
      drain,
      pollIntervalMs: this.settings.pollIntervalMs,
      backoff: this.settings.backoff,
      onError: (error) => this.logger.error({ err: error, loop: what }, 'staging auto-sync pass failed'),
    });
  }

  private async discover(): Promise<DrainPass> {
    const names = this.settings.servers;
    for (const server of await this.servers.getServers({ enabled: true })) {
      if (this.loops.has(server.id) || (names && !names.includes(server.name))) continue;
      const loops = Array.from({ length: this.settings.maxInFlight }, (_, lane) =>
        this.loop(`server ${server.name}`, () => this.drain(lane, server.id)),
      );
      this.loops.set(server.id, loops);
      if (this.running) for (const loop of loops) loop.start();
    }
    return { nextDueAt: undefined };
  }

  /** One pass of a lane: it sends until nothing is due, the server fails, or it stops. */
  private async drain(lane: number, serverId: number): Promise<DrainPass> {
    let summary: StagingRunSummary;
    let next: QueueNextDue | undefined;
    try {
      ({ summary, next } = await this.delivery.lanePass(serverId, {
        index: lane,
        batchSize: this.settings.batchSize,
        signal: this.stopping.signal,
      }));
    } catch (error) {
      // Disabled, paused or deleted since its loop started: nothing to send; a kick or a poll looks again.
      if (
        error instanceof ServerDisabledError ||
        error instanceof ServerPausedError ||
        error instanceof UnknownServerError
      )
        return { worked: false };
      throw error;
    }
    return {
      failed: summary.error !== undefined,
      worked: summary.sent + summary.failed > 0,
      // Read by the run's last claim or settle when it could (PostgreSQL: in the same round trip), else asked.
      nextDueAt: next ? next.dueAt : await this.queue.nextDueAt(serverId),
    };
  }
}
