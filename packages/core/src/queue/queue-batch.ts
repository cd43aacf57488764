// What one claimed batch comes to, row by row, until the queue worker records it all in one settle.
import type { SqlExecutor } from '../storage/sql-executor';
import type {
  ClaimedSynchronization,
  SynchronizationFailure,
  SynchronizationOutcomes,
  SynchronizationPostponement,
} from './lease-queue';

/** The target failed as a whole: the reason its waiting rows carry, and when it is tried again. */
export interface TargetDown {
  readonly reason: string;
  readonly until: number;
}

/**
 * The outcomes a bus records for the rows of one batch (`QueueWorker` hands it out and settles it). A row the bus
 * records nothing for is given back, due now, with no attempt counted. Objects held back stay held for the rest of
 * the worker's pass, so an object's later rows wait behind its failed one however the pass splits them.
 */
export class QueueBatch {
  private readonly recorded = new Set<number>();
  private readonly completed: number[] = [];
  private readonly failed: SynchronizationFailure[] = [];
  private readonly postponed: SynchronizationPostponement[] = [];
  private readonly extras: ((sql: SqlExecutor) => Promise<void>)[] = [];
  private downState?: TargetDown;
  private reached = false;
  /** The rows the bus is to work on, in logged order: the claimed ones whose object is not held back. */
  readonly rows: readonly ClaimedSynchronization[];
  /** Every row the batch leases, those held back included. */
  readonly leased: readonly number[];

  constructor(
    claimed: readonly ClaimedSynchronization[],
    private readonly held: Set<string>,
    private readonly onDown: (reason: string, notBefore: number) => number,
    private readonly onHeard: () => void,
  ) {
    this.leased = claimed.map((row) => row.id);
    this.rows = claimed.filter((row) => !this.heldBack(row));
  }

  /** The row is done: its synchronization row goes (and its task, when that was its last). */
  complete(id: number): void {
    this.recorded.add(id);
    this.completed.push(id);
  }

  /** The row failed (an attempt counted, backoff or `failed`); its object's later rows are held back. */
  fail(row: ClaimedSynchronization, failure: Omit<SynchronizationFailure, 'id'>): void {
    this.recorded.add(row.id);
    this.failed.push({ id: row.id, ...failure });
    this.held.add(row.objectKey);
  }

  /** Gives rows back without an attempt counted, due again at `notBefore`, with the reason they wait. */
  postpone(ids: readonly number[], notBefore: number, reason?: string): void {
    const open = ids.filter((id) => !this.recorded.has(id));
    for (const id of open) this.recorded.add(id);
    if (open.length > 0) this.postponed.push({ ids: open, notBefore, reason });
  }

  /** The object's later rows in this pass wait behind this one (a row skipped or held for a person). */
  hold(objectKey: string): void {
    this.held.add(objectKey);
  }

  /**
   * True when the row's object is held back by an earlier row of the pass: the row is then given back, due now,
   * without an attempt counted, to go out behind it.
   */
  heldBack(row: ClaimedSynchronization): boolean {
    if (!this.held.has(row.objectKey)) return false;
    this.postpone([row.id], Date.now());
    return true;
  }

  /**
   * The target answered (a request went through, a connector call returned a verdict): its outages in a row start
   * again from none, so the next one backs off from the start, and once the batch is settled without the target
   * going down again, what its outage put off is due at once. A batch the bus sent nothing for says nothing.
   */
  heard(): void {
    if (!this.reached) this.onHeard();
    this.reached = true;
  }

  /** Whether the target answered this batch and did not go down in it. */
  get answered(): boolean {
    return this.reached && !this.downState;
  }

  /**
   * The target is down as a whole (unreachable, refusing, paused), not these tasks wrong: every row not yet
   * recorded waits, keeping its attempts, with `reason`, until the target's outage backoff ends (no earlier than
   * `notBefore`, e.g. a Retry-After). Returns that time; the worker's pass claims no further batch.
   */
  targetDown(reason: string, notBefore = 0): number {
    const until = this.downState?.until ?? this.onDown(reason, notBefore);
    this.downState = { reason, until };
    this.postpone(
      this.rows.map((r) => r.id),
      until,
      reason,
    );
    return until;
  }

  /** Set when `targetDown` was called. */
  get down(): TargetDown | undefined {
    return this.downState;
  }

  /** Work that commits with the batch's settle (a log entry, a conflict base). */
  alsoInSettle(work: (sql: SqlExecutor) => Promise<void>): void {
    this.extras.push(work);
  }

  /** Everything recorded, the rows recorded nothing for given back due now. */
  outcomes(): SynchronizationOutcomes {
    this.postpone(
      this.rows.map((r) => r.id),
      Date.now(),
    );
    return { completed: this.completed, failed: this.failed, postponed: this.postponed };
  }

  /** The settle's extra work, undefined when there is none (a PostgreSQL settle is then one round trip). */
  extraWork(): ((sql: SqlExecutor) => Promise<void>) | undefined {
    const extras = this.extras;
    if (extras.length === 0) return undefined;
    return async (sql) => {
      for (const work of extras) await work(sql);
    };
  }
}
