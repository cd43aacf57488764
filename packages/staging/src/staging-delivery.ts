// Delivers a server's pending tasks: claims rows with leases, sends them in batches, records each task's outcome.
import { inject, injectable, Logger, type OnStop } from '@syncbus/core';
import {
  QueueWorker,
  type ClaimedSynchronization,
  type QueueBatch,
  type QueueNextDue,
} from '@syncbus/core/internal';
import { ConflictDetection } from './conflicts/conflict-detection';
import type { StagingServer } from './entities/staging-server.entity';
import { ServerInfoProvider } from './server-info-provider';
import { ServerSecrets } from './server-secrets';
import { ServerDisabledError, ServerPausedError, UnknownServerError } from './staging-errors';
import { StagingEventEmitters } from './staging-event-emitters';
import { StagingQueue } from './staging-queue';
import { StagingSettings } from './staging-settings';
import type { StagingTaskData } from './staging-task-data';
import { StagingTransport } from './staging-transport';

/** What a caller can do while a run goes on: stop it between batches, and follow it batch by batch. */
export interface StagingRunOptions {
  /** Aborted: no further batch is claimed; the batch on the wire completes and is recorded. */
  readonly signal?: AbortSignal;
  /** Called after each batch with the run's totals so far. */
  readonly onProgress?: (summary: Readonly<StagingRunSummary>) => void;
  /**
   * A person asked for this run (Kentico's Synchronize): rows waiting out a backoff are sent now too, keeping
   * their attempt counts. Background runs leave backoff alone.
   */
  readonly dueNow?: boolean;
}

/** What one synchronization run did, per outcome: the counts a runner, the CLI and the admin API report. */
export interface StagingRunSummary {
  readonly serverId: number;
  readonly server: string;
  /** Tasks sent (in all batches). */
  sent: number;
  applied: number;
  /** Tasks the target had applied before (a redelivery); they count as delivered. */
  duplicates: number;
  /**
   * Tasks whose delivery failed (error kept on the row, retried with backoff). A task the target refused counts
   * an attempt; a batch that failed as a whole (`error`) does not.
   */
  failed: number;
  /** Tasks sent behind a failed task of the same object; they wait for it without losing an attempt. */
  heldBack: number;
  /** Tasks the target skipped to keep its own edit (conflict policy keep-target); they count as delivered. */
  skipped: number;
  /**
   * Tasks the target holds as a conflict until a person resolves it there: they wait, with the conflict in their
   * error and no attempt counted, as do their objects' later tasks; the source asks again after
   * `staging.retry.maxDelayMs`, or at once when a person synchronizes.
   */
  conflicts: number;
  /** Why the run stopped early (the target unreachable, refusing, or not speaking the protocol). */
  error?: string;
}

/** A run for a drain loop: its summary, and when the server next has work if the run read it on its way. */
export interface StagingPass {
  readonly summary: StagingRunSummary;
  /** What the run's last claim or settle answered; undefined when it did not (ask `LeaseQueue.nextDueAt`). */
  readonly next?: QueueNextDue;
}

/**
 * The engine behind `StagingTaskRunner`. Runs for one server are serialized in this process, so a run started
 * for a task right after it was logged never finds that task held back by an earlier run still sending the
 * same object's previous task. Across processes the leases keep runners off each other's rows.
 */
@injectable()
export class StagingDelivery implements OnStop {
  /** Runs in progress, by server (and lane): each chain runs one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Claims, leases, settles and backs off from a server that is down, for every run and lane of this node. */
  private readonly worker: QueueWorker;

  constructor(
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @inject(StagingTransport) private readonly transport: StagingTransport,
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(Logger) private readonly logger: Logger,
    @inject(StagingEventEmitters) private readonly events: StagingEventEmitters,
    @inject(ConflictDetection) private readonly conflicts: ConflictDetection,
  ) {
    this.worker = new QueueWorker(queue, {
      onHeartbeatError: (error, serverId) =>
        logger.warn({ err: error, serverId }, 'could not renew staging leases'),
    });
  }

  /** The lease owner of this node: unique per process and node. */
  get owner(): string {
    return this.worker.owner;
  }

  /**
   * Sends the server's pending tasks (only `taskIds`, when given) in logged order. Throws
   * `UnknownServerError`, `ServerDisabledError` or `SecretUnavailableError` before sending anything.
   */
  run(
    serverId: number,
    taskIds?: number | readonly number[],
    options: StagingRunOptions = {},
  ): Promise<StagingRunSummary> {
    return this.runPass(serverId, taskIds, options).then((pass) => pass.summary);
  }

  /**
   * `run`, with when the server next has work as the run's last claim or settle read it (on PostgreSQL in the
   * same round trip), so a drain loop need not ask again.
   */
  runPass(
    serverId: number,
    taskIds?: number | readonly number[],
    options: StagingRunOptions = {},
  ): Promise<StagingPass> {
    const ids =
      taskIds === undefined ? undefined : Array.isArray(taskIds) ? [...taskIds] : [taskIds as number];
    return this.chained(String(serverId), () => this.drain(serverId, ids, options, this.settings));
  }

  /**
   * One pass of lane `lane` of a server: sends one batch of up to `batchSize` at a time until nothing is due,
   * the server fails, or `signal` is aborted. Passes of one lane follow each other, and different lanes run at
   * once, while the leases keep each object's tasks in order; whoever runs lanes (the auto-sync plugin) decides
   * how many requests go at once. Lanes share this delivery's lease owner and the server's outage backoff.
   */
  lanePass(
    serverId: number,
    lane: { readonly index: number; readonly batchSize?: number; readonly signal?: AbortSignal },
  ): Promise<StagingPass> {
    const settings = {
      ...this.settings,
      batchSize: lane.batchSize ?? this.settings.batchSize,
      maxInFlight: 1,
    };
    return this.chained(`${serverId}/${lane.index}`, () =>
      this.drain(serverId, undefined, { signal: lane.signal }, settings),
    );
  }

  /** Runs `fn` once the runs started before it on `chain` have ended: one run at a time per chain. */
  private chained<T>(chain: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(chain) ?? Promise.resolve();
    const current = previous.then(fn);
    const settled = current.catch(() => undefined);
    this.chains.set(chain, settled);
    void settled.then(() => {
      if (this.chains.get(chain) === settled) this.chains.delete(chain);
    });
    return current;
  }

  /** The node stops: ends this node's runs (see `stop()`). */
  onStop(): Promise<void> {
    return this.stop();
  }

  /** Waits for runs in progress, then gives back every lease this node holds. */
  async stop(): Promise<void> {
    const runs = Promise.all([...this.chains.values()]);
    await this.worker.stop();
    await runs;
  }

  private async drain(
    serverId: number,
    taskIds: number[] | undefined,
    options: StagingRunOptions,
    { batchSize, maxInFlight }: Pick<StagingSettings, 'batchSize' | 'maxInFlight'>,
  ): Promise<StagingPass> {
    const server = await this.servers.getServer(serverId);
    if (!server) throw new UnknownServerError(serverId);
    if (!server.enabled) throw new ServerDisabledError(server.name);
    if (server.paused) throw new ServerPausedError(server.name);
    const secret = this.secrets.resolve(server.name, server.secretRef);
    if (options.dueNow) await this.queue.makeAllDue(serverId, taskIds);
    const summary: StagingRunSummary = {
      serverId,
      server: server.name,
      sent: 0,
      applied: 0,
      duplicates: 0,
      failed: 0,
      heldBack: 0,
      skipped: 0,
      conflicts: 0,
    };
    // Objects that fail in the pass are tried once per run however short their backoff: the worker holds them back.
    const { next } = await this.worker.pass({
      targetId: serverId,
      limit: batchSize,
      leaseMs: this.settings.leaseMs,
      retry: this.settings.retry,
      taskIds,
      lanes: maxInFlight,
      signal: options.signal,
      process: async (batch) => {
        const { report, outage } = await this.sendBatch(server, batch, secret, summary);
        return () => {
          report?.();
          options.onProgress?.(summary);
          // A batch that failed as a whole counts in the run's summary, but its progress showed its tasks as
          // still waiting, which they are (no attempt counted).
          if (outage) {
            summary.failed += outage.tasks;
            summary.error = outage.error;
          }
        };
      },
    });
    return { summary, next };
  }

  /**
   * Sends one batch and records each task's outcome in it; a batch that fails as a whole puts the server down.
   * Returns what to report once the batch is settled, or the outage it met.
   */
  private async sendBatch(
    server: StagingServer,
    batch: QueueBatch,
    secret: ReturnType<ServerSecrets['resolve']>,
    summary: StagingRunSummary,
  ): Promise<{ report?: () => void; outage?: { tasks: number; error: string } }> {
    const tasks = new Map<number, StagingTaskData>();
    const rows: ClaimedSynchronization[] = [];
    for (const row of batch.rows) {
      // A row whose task is gone (deleted by a person meanwhile) has nothing to send.
      if (row.task) {
        tasks.set(row.taskId, stagingTaskOf(row.task));
        rows.push(row);
      } else batch.complete(row.id);
    }
    if (rows.length === 0) return {};
    let results;
    try {
      results = (
        await this.transport.send(
          server,
          secret,
          rows.map((r) => tasks.get(r.taskId)!),
        )
      ).results;
    } catch (error) {
      // The whole batch failed: the target (or the way to it) is down, not these tasks wrong. Counting an attempt
      // would turn a backlog `failed` during an outage of a few minutes, so the rows keep their attempts and
      // wait, with the error, for a backoff that grows with the server's consecutive outages.
      const message = (error as Error).message;
      batch.targetDown(message);
      this.logger.warn(
        { server: server.name, tasks: rows.length, error: message },
        'staging batch failed; tasks stay pending',
      );
      if (this.events.synchronized.observed) {
        this.events.synchronized.emit({
          server: server.name,
          delivered: [],
          failed: rows.map((r) => ({ taskId: r.taskId, guid: tasks.get(r.taskId)!.guid, error: message })),
          batchError: message,
        });
      }
      return { outage: { tasks: rows.length, error: message } };
    }
    batch.heard();
    summary.sent += rows.length;
    const completed: ClaimedSynchronization[] = [];
    const failed: { row: ClaimedSynchronization; error: string }[] = [];
    const held: { row: ClaimedSynchronization; error: string }[] = [];
    let heldBack = 0;
    // Two nodes staging to each other keep what each left the other's objects in (conflict detection's base).
    // Only a plain `applied` says so: a duplicate may be a task a resolution on the target marked done without
    // applying, and a task applied over a conflict there (overwritten, merged) left the object otherwise.
    const delivered: StagingTaskData[] = [];
    const stagesBack = this.conflicts.stagesBack(server.name);
    const now = Date.now();
    rows.forEach((row, index) => {
      const result = results[index];
      // Held-back rows lose no attempt; they are due again but wait behind their object's failed row.
      if (batch.heldBack(row)) {
        heldBack += 1;
      } else if (result.guid !== tasks.get(row.taskId)!.guid) {
        const error = `Staging server '${server.name}' answered for another task (${result.guid}).`;
        batch.fail(row, { error });
        failed.push({ row, error });
      } else if (result.status === 'error') {
        const error = `Staging server '${server.name}' could not apply the task: ${result.message ?? 'no reason given'}`;
        batch.fail(row, { error });
        failed.push({ row, error });
      } else if (result.status === 'conflict') {
        // A task held as a conflict loses no attempt either: it waits for a person on the target, asked again
        // after the longest backoff.
        const error = `Staging server '${server.name}' holds the task: ${result.message ?? 'CONFLICT'}`;
        batch.postpone([row.id], now + this.settings.retry.maxDelayMs, error);
        batch.hold(row.objectKey);
        held.push({ row, error });
      } else {
        batch.complete(row.id);
        completed.push(row);
        if (result.status === 'applied') summary.applied++;
        else if (result.status === 'skipped') summary.skipped++;
        else summary.duplicates++;
        if (stagesBack && result.status === 'applied' && !result.message?.startsWith('CONFLICT'))
          delivered.push(tasks.get(row.taskId)!);
      }
    });
    if (delivered.length > 0)
      batch.alsoInSettle((sql) => this.conflicts.recordDelivered(sql, server.name, delivered));
    const report = () => {
      summary.conflicts += held.length;
      summary.failed += failed.length;
      summary.heldBack += heldBack;
      if (!this.events.synchronized.observed) return;
      const task = (row: ClaimedSynchronization) => ({
        taskId: row.taskId,
        guid: tasks.get(row.taskId)!.guid,
      });
      this.events.synchronized.emit({
        server: server.name,
        delivered: completed.map(task),
        failed: [...failed, ...held].map((f) => ({ ...task(f.row), error: f.error })),
      });
    };
    return { report };
  }
}

/** A claimed row's task (the columns `STAGING_SYNCHRONIZATION_TABLE.taskColumns` names) as the wire carries it. */
function stagingTaskOf(t: Readonly<Record<string, any>>): StagingTaskData {
  return {
    guid: t.guid,
    taskType: t.task_type,
    objectType: t.object_type,
    objectGuid: t.object_guid,
    objectId: t.object_id ?? null,
    title: t.title,
    data: JSON.parse(t.data),
    createdAt: Number(t.created_at),
    origin: JSON.parse(t.origin),
    users: JSON.parse(t.users),
    groups: JSON.parse(t.groups),
    ...(t.base !== null && t.base !== undefined ? { base: JSON.parse(t.base) } : {}),
  };
}
