// The one queue worker of both buses: claims a target's due rows in batches, keeps their leases while the bus works
// on them, settles each batch once, holds an object back behind its failed row, and backs off from a target that is
// down. Staging supplies "deliver this batch over HTTP", integration "call the connector for these rows".
import type { RetryPolicy } from './backoff';
import { QueueBatch, type TargetDown } from './queue-batch';
import type { LeaseQueue, QueueNextDue } from './lease-queue';
import { newLeaseOwner } from './lease-owner';
import { TargetOutages } from './target-outages';

/** How a `QueueWorker` is set up. */
export interface QueueWorkerOptions {
  /** Who holds the leases this worker takes; default a new `newLeaseOwner()`. Workers of one bus may share it. */
  readonly owner?: string;
  /** The targets' outage backoff; workers of one bus share it (a connector's two directions are one target). */
  readonly outages?: TargetOutages;
  /** Receives a failed lease renewal (log it); the batch goes on, and its settle finds which leases it kept. */
  readonly onHeartbeatError?: (error: unknown, targetId: number) => void;
}

/** One pass of a worker over a target's due rows. */
export interface WorkerPassOptions {
  readonly targetId: number;
  /** Rows per batch. */
  readonly limit: number;
  readonly leaseMs: number;
  /** Backoff of failed rows, and of the target's outages. */
  readonly retry: RetryPolicy;
  /** Only these tasks (see `ClaimOptions.taskIds`). */
  readonly taskIds?: readonly number[];
  /**
   * Batches in flight at once (default 1): while one is on the wire the next is claimed and sent; the leases keep
   * order per object, since a row whose object has a batch in flight is not claimable.
   */
  readonly lanes?: number;
  /** Batches per lane before the pass ends; default: until nothing is due. */
  readonly maxBatches?: number;
  /** Aborted: no further batch is claimed; the batches in hand finish and are settled. */
  readonly signal?: AbortSignal;
  /**
   * Works on one batch, recording each row's outcome in it (rows it records nothing for go back, due now). May
   * return what to do once the batch is settled (count, report, emit events).
   */
  readonly process: (batch: QueueBatch) => Promise<void | (() => void)>;
}

/** What a pass did. */
export interface WorkerPass {
  /** Rows claimed over the pass. */
  readonly claimed: number;
  /** Set when the target failed as a whole and the pass stopped there. */
  readonly down?: TargetDown;
  /**
   * When the target next has work, as the pass's last claim or settle read it on its way; undefined when it did
   * not (ask `LeaseQueue.nextDueAt`).
   */
  readonly next?: QueueNextDue;
}

/**
 * Drains one `LeaseQueue`'s targets for a bus. A pass claims batches (rows with their tasks), keeps their leases
 * by heartbeat while `process` works, settles each batch in one transaction with the bus's extra work, and goes
 * on until nothing is due, the target is down, the signal aborts or the worker stops. After an outage, the first
 * batch the target answers makes what the outage put off due at once. Whoever runs passes decides when (a
 * person, `DrainLoop`, an auto-sync plugin); the worker decides how.
 */
export class QueueWorker {
  /** Who holds this worker's leases. */
  readonly owner: string;
  /** The outage backoff of the worker's targets. */
  readonly outages: TargetOutages;
  private readonly passes = new Set<Promise<unknown>>();
  private stopped = false;

  constructor(
    readonly queue: LeaseQueue,
    private readonly options: QueueWorkerOptions = {},
  ) {
    this.owner = options.owner ?? newLeaseOwner();
    this.outages = options.outages ?? new TargetOutages();
  }

  /** Whether `stop()` was called: a bus that works row by row gives the rest of its batch back. */
  get stopping(): boolean {
    return this.stopped;
  }

  /** Runs one pass (see the class). Throws what a claim, `process` or a settle threw, after giving the batch back. */
  pass(options: WorkerPassOptions): Promise<WorkerPass> {
    const run = this.run(options);
    const tracked = run.catch(() => undefined);
    this.passes.add(tracked);
    void tracked.then(() => this.passes.delete(tracked));
    return run;
  }

  /** Starts no further batch, waits for the passes in hand, then gives back every lease this worker holds. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.passes.size > 0) await Promise.all([...this.passes]);
    await this.queue.releaseAll(this.owner);
  }

  private async run(options: WorkerPassOptions): Promise<WorkerPass> {
    const { targetId, retry, signal } = options;
    // One outage time for every lane of the pass: the rows it puts off come due together, in logged order again.
    const pass: { down?: TargetDown; claimed: number } = { claimed: 0 };
    const held = new Set<string>();
    const onDown = (reason: string, notBefore: number) => {
      pass.down ??= { reason, until: this.outages.down(targetId, retry, notBefore) };
      return pass.down.until;
    };
    // What each lane last read of the target's next due time when it ended for want of work.
    const answers: (QueueNextDue | undefined)[] = [];
    const lane = async () => {
      let next: QueueNextDue | undefined;
      let batches = 0;
      while (!this.stopped && !pass.down && !signal?.aborted && batches < (options.maxBatches ?? Infinity)) {
        const { rows, next: idle } = await this.queue.claimBatch({
          targetId,
          owner: this.owner,
          limit: options.limit,
          leaseMs: options.leaseMs,
          taskIds: options.taskIds,
        });
        next = idle;
        if (rows.length === 0) break;
        batches += 1;
        pass.claimed += rows.length;
        next = undefined;
        // Read again: another lane may have found the target down while this claim was on its way.
        const down = pass.down as TargetDown | undefined;
        if (down) {
          // A slow connection can take longer than the backoff: these rows go back untouched to wait out the
          // outage with the others.
          await this.queue.postpone(
            rows.map((r) => r.id),
            this.owner,
            down.until,
            down.reason,
          );
          break;
        }
        const batch = new QueueBatch(rows, held, onDown, () => this.outages.reset(targetId));
        const settled = await this.work(batch, options, rows.length < options.limit);
        if (batch.down) break;
        if (batch.rows.length === 0) break;
        const dueTimes = batch.answered ? this.outages.up(targetId) : [];
        if (dueTimes.length > 0) {
          // The target is back: its backlog need not wait out the rest of the outage backoff.
          await this.queue.makeDue(targetId, dueTimes);
        } else if (settled && settled.dueAt !== 0) {
          // A claim short of a batch found the queue drained, and its settle read nothing due now: done.
          next = settled;
          break;
        }
      }
      answers.push(next);
    };
    await Promise.all(Array.from({ length: Math.max(1, options.lanes ?? 1) }, lane));
    // The lane that ended last read last; a lane that ended otherwise leaves it to the caller to ask.
    const next = answers.every((a) => a !== undefined) ? answers[answers.length - 1] : undefined;
    return { claimed: pass.claimed, down: pass.down, next };
  }

  /**
   * `process` under a lease heartbeat, then one settle; with `askNext` the settle reads when the target is next
   * due. A throwing `process` still settles what it recorded (the rest go back) before the error goes on.
   */
  private async work(
    batch: QueueBatch,
    options: WorkerPassOptions,
    askNext: boolean,
  ): Promise<QueueNextDue | undefined> {
    const { targetId, leaseMs, retry } = options;
    let after: void | (() => void) = undefined;
    if (batch.rows.length > 0) {
      const heartbeat = setInterval(
        () =>
          void this.queue
            .heartbeat(batch.leased, this.owner, leaseMs)
            .catch((error) => this.options.onHeartbeatError?.(error, targetId)),
        Math.max(50, Math.floor(leaseMs / 3)),
      );
      heartbeat.unref();
      try {
        after = await options.process(batch);
      } catch (error) {
        await this.settle(batch, retry).catch(() => undefined);
        throw error;
      } finally {
        clearInterval(heartbeat);
      }
    }
    const { next } = await this.settle(batch, retry, askNext ? targetId : undefined);
    after?.();
    return next;
  }

  /**
   * The batch's one settle. When it fails (its extra work threw, the database refused), nothing of it committed:
   * the rows are given back, due now, so they do not wait out their leases holding their objects back; the
   * error goes on.
   */
  private async settle(batch: QueueBatch, retry: RetryPolicy, nextDueOf?: number) {
    try {
      return await this.queue.settleBatch(batch.outcomes(), this.owner, retry, batch.extraWork(), nextDueOf);
    } catch (error) {
      await this.queue.postpone(batch.leased, this.owner, Date.now()).catch(() => undefined);
      throw error;
    }
  }
}
