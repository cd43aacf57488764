// Delivers a server's pending tasks: claims rows with leases, sends them in batches, records each task's outcome.
import { inject, injectable, Logger, retryDelayMs, Storage, type OnStop } from '@syncbus/core';
import {
  newLeaseOwner,
  type ClaimedSynchronization,
  type QueueNextDue,
  type SynchronizationFailure,
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

/** What one `runSynchronization` did. */
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
  /** The lease owner of this node: unique per process and node. */
  readonly owner = newLeaseOwner();
  /** Runs in progress, by server (and lane): each chain runs one at a time. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /**
   * Per server in an outage (for every run and lane): its consecutive whole-batch failures, which the backoff
   * grows with, and the due times its rows were postponed to, which become due at once when a batch gets through.
   */
  private readonly outages = new Map<number, { failures: number; dueTimes: Set<number> }>();
  private stopped = false;

  constructor(
    @inject(Storage) private readonly storage: Storage,
    @inject(StagingQueue) private readonly queue: StagingQueue,
    @inject(ServerInfoProvider) private readonly servers: ServerInfoProvider,
    @inject(ServerSecrets) private readonly secrets: ServerSecrets,
    @inject(StagingTransport) private readonly transport: StagingTransport,
    @inject(StagingSettings) private readonly settings: StagingSettings,
    @inject(Logger) private readonly logger: Logger,
    @inject(StagingEventEmitters) private readonly events: StagingEventEmitters,
    @inject(ConflictDetection) private readonly conflicts: ConflictDetection,
  ) {}

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
    this.stopped = true;
    await Promise.all([...this.chains.values()]);
    await this.queue.releaseAll(this.owner);
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
    const { leaseMs, retry } = this.settings;
    // Objects that failed in this run: each is tried once per run, however short its backoff.
    const failedInRun = new Set<string>();
    let halted = false;
    let outageUntil: number | undefined;
    // Up to `maxInFlight` batches on the wire at once: while one is applied on the target the next is claimed and
    // sent. The leases keep order per object: a row whose object has a batch in flight is not claimable.
    // What each lane last read of the server's next due time when it ended for want of work (undefined: it ended
    // otherwise, and the caller asks).
    const answers: (QueueNextDue | undefined)[] = [];
    const lane = async () => {
      let next: QueueNextDue | undefined;
      while (!this.stopped && !halted && !options.signal?.aborted) {
        const { rows: claimed, next: idle } = await this.queue.claimBatch({
          targetId: serverId,
          owner: this.owner,
          limit: batchSize,
          leaseMs,
          taskIds,
        });
        next = idle;
        if (halted) {
          // Another lane found the server down while this claim was on its way (a slow connection can take longer
          // than the outage backoff): the run is over, so these rows go back untouched to wait out the outage.
          await this.queue.postpone(
            claimed.map((r) => r.id),
            this.owner,
            outageUntil ?? Date.now(),
          );
          next = undefined;
          break;
        }
        const again = claimed.filter((r) => failedInRun.has(r.objectKey)).map((r) => r.id);
        await this.queue.postpone(again, this.owner, Date.now());
        const rows = claimed.filter((r) => !failedInRun.has(r.objectKey));
        if (rows.length === 0) break;
        const tasks = new Map(rows.filter((r) => r.task).map((r) => [r.taskId, stagingTaskOf(r.task!)]));
        // A row whose task is gone (deleted by a person meanwhile) has nothing to send.
        const missing = rows.filter((r) => !r.task).map((r) => r.id);
        if (missing.length > 0) await this.queue.complete(missing, this.owner);
        const batch = rows.filter((r) => r.task);
        if (batch.length === 0) continue;
        // A claim short of a batch found the queue drained: the settle reads when work is next due, and a lane
        // with nothing due now ends there instead of claiming once more to find nothing.
        const drained = claimed.length < batchSize;
        const { error, next: after } = await this.sendBatch(
          server,
          batch,
          tasks,
          secret,
          summary,
          failedInRun,
          drained,
        );
        options.onProgress?.(summary);
        if (!error) {
          const outage = this.outages.get(serverId);
          if (outage) {
            // The server is back: its backlog need not wait out the rest of the outage backoff.
            this.outages.delete(serverId);
            await this.queue.makeDue(serverId, [...outage.dueTimes]);
          } else if (after && after.dueAt !== 0) {
            next = after;
            break;
          }
          next = undefined;
          continue;
        }
        next = undefined;
        halted = true;
        // The whole batch failed: the target (or the way to it) is down, not these tasks wrong. Counting an
        // attempt would turn a backlog `failed` during an outage of a few minutes, so the rows keep their
        // attempts and wait, with the error, for a backoff that grows with the server's consecutive outages.
        // One due time for every batch of the run: they come due together and go out in logged order again.
        if (outageUntil === undefined) {
          const outage = this.outages.get(serverId) ?? { failures: 0, dueTimes: new Set<number>() };
          outage.failures += 1;
          this.outages.set(serverId, outage);
          outageUntil = Date.now() + retryDelayMs(outage.failures, retry);
          outage.dueTimes.add(outageUntil);
        }
        await this.queue.postpone(
          batch.map((r) => r.id),
          this.owner,
          outageUntil,
          error,
        );
        summary.failed += batch.length;
        summary.error = error;
        this.logger.warn(
          { server: server.name, tasks: batch.length, error },
          'staging batch failed; tasks stay pending',
        );
      }
      answers.push(next);
    };
    await Promise.all(Array.from({ length: maxInFlight }, lane));
    // The lane that ended last read last; any lane that ended otherwise leaves it to the caller to ask.
    return { summary, next: answers.every((a) => a !== undefined) ? answers[answers.length - 1] : undefined };
  }

  /**
   * Sends one batch and records per-task outcomes; returns the error text when the batch failed as a whole, and
   * with `askNext` when the server next has work, when its settle could read that in the same round trip.
   */
  private async sendBatch(
    server: StagingServer,
    batch: readonly ClaimedSynchronization[],
    tasks: ReadonlyMap<number, StagingTaskData>,
    secret: ReturnType<ServerSecrets['resolve']>,
    summary: StagingRunSummary,
    failedObjects: Set<string>,
    askNext: boolean,
  ): Promise<{ error?: string; next?: QueueNextDue }> {
    const ids = batch.map((r) => r.id);
    const heartbeat = setInterval(
      () =>
        void this.queue
          .heartbeat(ids, this.owner, this.settings.leaseMs)
          .catch((error) =>
            this.logger.warn({ err: error, server: server.name }, 'could not renew staging leases'),
          ),
      Math.max(250, Math.floor(this.settings.leaseMs / 3)),
    );
    heartbeat.unref();
    let results;
    try {
      results = (
        await this.transport.send(
          server,
          secret,
          batch.map((r) => tasks.get(r.taskId)!),
        )
      ).results;
    } catch (error) {
      const message = (error as Error).message;
      if (this.events.synchronized.observed) {
        this.events.synchronized.emit({
          server: server.name,
          delivered: [],
          failed: batch.map((r) => ({ taskId: r.taskId, guid: tasks.get(r.taskId)!.guid, error: message })),
          batchError: message,
        });
      }
      return { error: message };
    } finally {
      clearInterval(heartbeat);
    }
    summary.sent += batch.length;
    const completed: number[] = [];
    const failures: SynchronizationFailure[] = [];
    const heldBack: number[] = [];
    const held: { id: number; reason: string }[] = [];
    batch.forEach((row, index) => {
      const result = results[index];
      if (failedObjects.has(row.objectKey)) {
        heldBack.push(row.id);
      } else if (result.guid !== tasks.get(row.taskId)!.guid) {
        failures.push({
          id: row.id,
          error: `Staging server '${server.name}' answered for another task (${result.guid}).`,
        });
        failedObjects.add(row.objectKey);
      } else if (result.status === 'error') {
        failures.push({
          id: row.id,
          error: `Staging server '${server.name}' could not apply the task: ${result.message ?? 'no reason given'}`,
        });
        failedObjects.add(row.objectKey);
      } else if (result.status === 'conflict') {
        held.push({
          id: row.id,
          reason: `Staging server '${server.name}' holds the task: ${result.message ?? 'CONFLICT'}`,
        });
        failedObjects.add(row.objectKey);
      } else {
        completed.push(row.id);
        if (result.status === 'applied') summary.applied++;
        else if (result.status === 'skipped') summary.skipped++;
        else summary.duplicates++;
      }
    });
    // Held-back rows lose no attempt; they are due again but wait behind their object's failed row. A task held
    // as a conflict loses none either: it waits for a person on the target, asked again after the longest backoff.
    const now = Date.now();
    // Two nodes staging to each other keep what each left the other's objects in (conflict detection's base).
    // Only a plain `applied` says so: a duplicate may be a task a resolution on the target marked done without
    // applying, and a task applied over a conflict there (overwritten, merged) left the object otherwise.
    const done = new Set(completed);
    const delivered = this.conflicts.stagesBack(server.name)
      ? batch.filter(
          (row, index) =>
            done.has(row.id) &&
            results[index].status === 'applied' &&
            !results[index].message?.startsWith('CONFLICT'),
        )
      : [];
    const { next } = await this.queue.settleBatch(
      {
        completed,
        failed: failures,
        postponed: [
          { ids: heldBack, notBefore: now },
          ...held.map((h) => ({
            ids: [h.id],
            notBefore: now + this.settings.retry.maxDelayMs,
            reason: h.reason,
          })),
        ],
      },
      this.owner,
      this.settings.retry,
      delivered.length > 0
        ? (sql) =>
            this.conflicts.recordDelivered(
              sql,
              server.name,
              delivered.map((r) => tasks.get(r.taskId)!),
            )
        : undefined,
      askNext ? server.id : undefined,
    );
    summary.conflicts += held.length;
    summary.failed += failures.length;
    summary.heldBack += heldBack.length;
    if (this.events.synchronized.observed) {
      const byId = new Map(batch.map((r) => [r.id, r]));
      const task = (id: number) => ({
        taskId: byId.get(id)!.taskId,
        guid: tasks.get(byId.get(id)!.taskId)!.guid,
      });
      this.events.synchronized.emit({
        server: server.name,
        delivered: completed.map(task),
        failed: [
          ...failures.map((f) => ({ ...task(f.id), error: f.error })),
          ...held.map((h) => ({ ...task(h.id), error: h.reason })),
        ],
      });
    }
    return { next };
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
