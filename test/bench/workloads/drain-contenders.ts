// Runs one drain: a receiver process, a draining process, a start signal, and a check that every task applied.
import type { BenchContext } from '../harness/bench-context';
import { ratePerSecond } from '../harness/stats';

/** What a receiver role reports when stopped. */
export interface ReceiverStats {
  readonly applied: number;
  readonly duplicates: number;
  readonly requests: number;
}

/** What a drain role reports. */
export interface DrainResult {
  readonly delivered: number;
  readonly ms: number;
  readonly left: number;
}

/** One measured drain. */
export interface DrainMeasurement {
  readonly tasksPerSecond: number;
  readonly drainerPeakRssBytes: number;
  readonly receiverPeakRssBytes: number;
}

/** A receiver to start for a drain. */
export interface ReceiverSpec {
  readonly role: string;
  readonly config: unknown;
}

/**
 * Starts the receiver, starts the drainer (which prepares its backlog untimed and reports ready), says go,
 * and checks that the receiver applied exactly `tasks` tasks before reporting the drainer's rate.
 */
export async function measureDrain(
  ctx: BenchContext,
  receiver: ReceiverSpec,
  drainerRole: string,
  drainerConfig: (url: string) => object,
  tasks: number,
  wantedMs = 300_000,
): Promise<DrainMeasurement> {
  const started = await ctx.start<{ url: string }, ReceiverStats>(receiver.role, receiver.config, wantedMs);
  try {
    const drainer = await ctx.start<unknown, DrainResult>(
      drainerRole,
      drainerConfig(started.ready.url),
      wantedMs,
    );
    drainer.child.go();
    const drained = await drainer.child.outcome;
    const received = await started.child.stop();
    if (drained.value.delivered !== tasks || received.value.applied !== tasks) {
      throw new Error(
        `${drainerRole} delivered ${drained.value.delivered} and the receiver applied ${received.value.applied} ` +
          `of ${tasks} tasks; the figure would be wrong, so the run stops here`,
      );
    }
    return {
      tasksPerSecond: ratePerSecond(tasks, drained.value.ms),
      drainerPeakRssBytes: drained.peakRssBytes,
      receiverPeakRssBytes: received.peakRssBytes,
    };
  } finally {
    started.child.kill();
  }
}
