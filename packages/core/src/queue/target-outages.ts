// How long a target that is down as a whole is left alone: one backoff per target, for every run, lane and direction.
import { retryDelayMs, type RetryPolicy } from './backoff';

/**
 * Per target in an outage: its consecutive outages, which the backoff grows with, and the due times its rows were
 * put off to, which become due at once when the target answers again (`QueueWorker` does both).
 */
export class TargetOutages {
  private readonly outages = new Map<number, { failures: number; dueTimes: Set<number> }>();

  /**
   * The target failed as a whole once more: when to try it again, `policy`'s backoff over its outages in a row and
   * no earlier than `notBefore` (a Retry-After). The time is remembered as one its rows wait for.
   */
  down(targetId: number, policy: RetryPolicy, notBefore = 0): number {
    const outage = this.outages.get(targetId) ?? { failures: 0, dueTimes: new Set<number>() };
    outage.failures += 1;
    this.outages.set(targetId, outage);
    const until = Math.max(Date.now() + retryDelayMs(outage.failures, policy), notBefore);
    outage.dueTimes.add(until);
    return until;
  }

  /** The target answered, so its outages in a row start again from none; the due times stay for `up`. */
  reset(targetId: number): void {
    const outage = this.outages.get(targetId);
    if (outage) outage.failures = 0;
  }

  /** The target answered: its outage is over. Returns the due times its rows were put off to (none: empty). */
  up(targetId: number): number[] {
    const outage = this.outages.get(targetId);
    if (!outage) return [];
    this.outages.delete(targetId);
    return [...outage.dueTimes];
  }

  /** Outages of the target in a row; 0 when it is up. */
  failures(targetId: number): number {
    return this.outages.get(targetId)?.failures ?? 0;
  }
}
