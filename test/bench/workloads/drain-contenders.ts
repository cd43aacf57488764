// Runs one drain: a receiver process, an optional backlog setup, one or more draining processes started
// together, and a check that the receiver applied every task before the rate is believed.
import type { BenchChild } from '../harness/bench-child';
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
  /** Largest peak RSS among the draining processes. */
  readonly drainerPeakRssBytes: number;
  readonly receiverPeakRssBytes: number;
}

/** A child role and its config. */
export interface RoleSpec {
  readonly role: string;
  readonly config: unknown;
}

/** How to run one drain. */
export interface DrainSpec {
  readonly receiver: RoleSpec;
  /** The draining role; its config is built once the receiver's URL is known. */
  readonly drainer: (url: string) => RoleSpec;
  readonly tasks: number;
  /** Untimed setup of the backlog, in its own process, once the receiver's URL is known. */
  readonly prepare?: (url: string) => RoleSpec;
  /** Draining processes started together (default 1); the drain ends when the last one finishes. */
  readonly workers?: number;
  readonly wantedMs?: number;
  /** The drainers stop after a time window (their config says so): only part of `tasks` is delivered. */
  readonly windowed?: boolean;
}

/** Runs a drain and returns its rate (tasks over the slowest worker's time from go to done). */
export async function measureDrain(ctx: BenchContext, spec: DrainSpec): Promise<DrainMeasurement> {
  const wantedMs = spec.wantedMs ?? 300_000;
  const receiver = await ctx.start<{ url: string }, ReceiverStats>(
    spec.receiver.role,
    spec.receiver.config,
    wantedMs,
  );
  const drainers: BenchChild<unknown, DrainResult>[] = [];
  try {
    const url = receiver.ready.url;
    if (spec.prepare) {
      const setup = spec.prepare(url);
      await ctx.run(setup.role, setup.config, wantedMs);
    }
    for (let w = 0; w < (spec.workers ?? 1); w++) {
      const drainer = spec.drainer(url);
      drainers.push((await ctx.start<unknown, DrainResult>(drainer.role, drainer.config, wantedMs)).child);
    }
    for (const child of drainers) child.go();
    const outcomes = await Promise.all(drainers.map((child) => child.outcome));
    const received = await receiver.child.stop();
    const delivered = outcomes.reduce((sum, o) => sum + o.value.delivered, 0);
    const expected = spec.windowed ? delivered : spec.tasks;
    if (delivered !== expected || received.value.applied !== expected || delivered === 0) {
      throw new Error(
        `${spec.drainer(url).role} delivered ${delivered} and the receiver applied ${received.value.applied} ` +
          `of ${spec.tasks} tasks; the figure would be wrong, so this workload stops here`,
      );
    }
    return {
      tasksPerSecond: ratePerSecond(delivered, Math.max(...outcomes.map((o) => o.value.ms))),
      drainerPeakRssBytes: Math.max(...outcomes.map((o) => o.peakRssBytes)),
      receiverPeakRssBytes: received.peakRssBytes,
    };
  } finally {
    await Promise.all([...drainers, receiver.child].map((child) => child.dispose()));
  }
}
