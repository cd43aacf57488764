// Runs one drain: receiver processes, an optional backlog setup, one or more draining processes started together,
// and a check that the receivers applied every task before the rate is believed.
import type { BenchChild } from '../harness/bench-child';
import type { BenchContext } from '../harness/bench-context';
import { machineCpu, postgresCpuMs, processCpuMs } from '../harness/cpu-time';
import { ratePerSecond } from '../harness/stats';

/** What a receiver role reports when stopped. */
export interface ReceiverStats {
  readonly applied: number;
  readonly duplicates: number;
  readonly requests: number;
  /** Conflicts the receiver recorded (a syncbus target): none may be found where nothing was edited there. */
  readonly conflicts?: number;
}

/** What a drain role reports. */
export interface DrainResult {
  readonly delivered: number;
  readonly ms: number;
  readonly left: number;
  /** CPU time the drainer used from go to done, when it measures it. */
  readonly cpuMs?: number;
}

/** Where the machine's CPU went during a drain, as shares of all its cores' time (NaN where unknown). */
export interface DrainCpu {
  readonly drainers: number;
  readonly receivers: number;
  /** The machine's PostgreSQL server: the source's database, and any other job's on the same server. */
  readonly postgres: number;
  /** Idle cores: the headroom the drain left unused. */
  readonly idle: number;
  /** The rest: other jobs on the machine, the benchmark's own process, the hypervisor's steal. */
  readonly other: number;
}

/** One measured drain. */
export interface DrainMeasurement {
  /** Tasks applied per second, summed over the receivers (a task for two receivers counts twice). */
  readonly tasksPerSecond: number;
  /** Largest peak RSS among the draining processes. */
  readonly drainerPeakRssBytes: number;
  readonly receiverPeakRssBytes: number;
  readonly cpu: DrainCpu;
}

/** A child role and its config. */
export interface RoleSpec {
  readonly role: string;
  readonly config: unknown;
}

/** How to run one drain. */
export interface DrainSpec {
  /** The receiving processes, each its own target; every task is applied once on each. */
  readonly receivers: readonly RoleSpec[];
  /** The draining role; its config is built once the receivers' URLs are known. */
  readonly drainer: (urls: readonly string[]) => RoleSpec;
  /** Tasks in the backlog. */
  readonly tasks: number;
  /** Untimed setup of the backlog, in its own process, once the receivers' URLs are known. */
  readonly prepare?: (urls: readonly string[]) => RoleSpec;
  /** Draining processes started together (default 1); the drain ends when the last one finishes. */
  readonly workers?: number;
  readonly wantedMs?: number;
  /** The drainers stop after a time window (their config says so): only part of `tasks` is delivered. */
  readonly windowed?: boolean;
}

/** Runs a drain and returns its rate (deliveries over the slowest worker's time from go to done). */
export async function measureDrain(ctx: BenchContext, spec: DrainSpec): Promise<DrainMeasurement> {
  const wantedMs = spec.wantedMs ?? 300_000;
  const receivers: BenchChild<{ url: string }, ReceiverStats>[] = [];
  const drainers: BenchChild<unknown, DrainResult>[] = [];
  try {
    const urls: string[] = [];
    for (const receiver of spec.receivers) {
      const started = await ctx.start<{ url: string }, ReceiverStats>(
        receiver.role,
        receiver.config,
        wantedMs,
      );
      receivers.push(started.child);
      urls.push(started.ready.url);
    }
    if (spec.prepare) {
      const setup = spec.prepare(urls);
      await ctx.run(setup.role, setup.config, wantedMs);
    }
    for (let w = 0; w < (spec.workers ?? 1); w++) {
      const drainer = spec.drainer(urls);
      drainers.push((await ctx.start<unknown, DrainResult>(drainer.role, drainer.config, wantedMs)).child);
    }
    const receiversCpu = () => receivers.reduce((sum, r) => sum + processCpuMs(r.pid), 0);
    const before = { machine: machineCpu(), receivers: receiversCpu(), postgres: postgresCpuMs() };
    for (const child of drainers) child.go();
    const outcomes = await Promise.all(drainers.map((child) => child.outcome));
    const after = { machine: machineCpu(), receivers: receiversCpu(), postgres: postgresCpuMs() };
    const received = await Promise.all(receivers.map((r) => r.stop()));
    const delivered = outcomes.reduce((sum, o) => sum + o.value.delivered, 0);
    const applied = received.reduce((sum, r) => sum + r.value.applied, 0);
    const expected = spec.windowed ? delivered : spec.tasks * receivers.length;
    if (delivered !== expected || applied !== expected || delivered === 0) {
      throw new Error(
        `${spec.drainer(urls).role} delivered ${delivered} and the receivers applied ${applied} of ` +
          `${spec.tasks} tasks to each of ${receivers.length}; ` +
          'the figure would be wrong, so this workload stops here',
      );
    }
    const conflicts = received.reduce((sum, r) => sum + (r.value.conflicts ?? 0), 0);
    if (conflicts > 0) {
      throw new Error(
        `the receivers recorded ${conflicts} conflicts where nothing was edited: a false conflict`,
      );
    }
    const machineMs = after.machine.totalMs - before.machine.totalMs;
    const share = (ms: number) => ms / machineMs;
    const cpu = {
      drainers: share(outcomes.reduce((sum, o) => sum + (o.value.cpuMs ?? Number.NaN), 0)),
      receivers: share(after.receivers - before.receivers),
      postgres: share(after.postgres - before.postgres),
      idle: share(after.machine.idleMs - before.machine.idleMs),
    };
    return {
      tasksPerSecond: ratePerSecond(delivered, Math.max(...outcomes.map((o) => o.value.ms))),
      drainerPeakRssBytes: Math.max(...outcomes.map((o) => o.peakRssBytes)),
      receiverPeakRssBytes: Math.max(...received.map((r) => r.peakRssBytes)),
      cpu: { ...cpu, other: 1 - cpu.drainers - cpu.receivers - cpu.postgres - cpu.idle },
    };
  } finally {
    await Promise.all([...drainers, ...receivers].map((child) => child.dispose()));
  }
}
