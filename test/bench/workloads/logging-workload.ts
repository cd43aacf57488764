// Workloads 1 and 2: logging a change (one per transaction, as a host request does) and an import (one
// transaction), with 3 enabled targets, against raw better-sqlite3 inserts of the same rows.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { percentile, ratePerSecond } from '../harness/stats';
import type { LoggingResult } from '../floors/logging-floor';

/** Enabled target servers every logged change fans out to. */
export const LOGGING_TARGETS = 3;

/** Runs one logging round in its own process; `databaseUrl` set means the syncbus role, else the raw floor. */
export async function loggingRound(
  ctx: BenchContext,
  role: 'logging-floor' | 'syncbus-logging',
  mode: string,
  changes: number,
  databaseUrl?: string,
): Promise<LoggingResult> {
  const config =
    role === 'logging-floor'
      ? { dbFile: ctx.file('floor.sqlite') }
      : { databaseUrl: databaseUrl ?? `sqlite:${ctx.file('source.sqlite')}`, secretEnv: ctx.secretEnv };
  const { child } = await ctx.start<unknown, LoggingResult>(role, {
    ...config,
    changes,
    targets: LOGGING_TARGETS,
    run: ctx.runId,
    mode,
  });
  child.go();
  return (await child.outcome).value;
}

const rates = (runs: readonly LoggingResult[]) => runs.map((r) => ratePerSecond(r.changes, r.ms));
const pct = (runs: readonly LoggingResult[], p: number) => runs.map((r) => percentile(r.latencies!, p));

/** Workload 1. */
export async function loggingWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const n = sizes.loggingChanges;
  const results = await interleavedRounds(ctx.rounds, [
    { name: 'floor', run: () => loggingRound(ctx, 'logging-floor', 'per-change', n) },
    { name: 'syncbus', run: () => loggingRound(ctx, 'syncbus-logging', 'per-change', n) },
    { name: 'host baseline', run: () => loggingRound(ctx, 'syncbus-logging', 'host-baseline', n) },
    { name: 'host staged', run: () => loggingRound(ctx, 'syncbus-logging', 'host-staged', n) },
  ]);
  const floor = results.get('floor')!;
  const syncbus = results.get('syncbus')!;
  const baseline = results.get('host baseline')!;
  const staged = results.get('host staged')!;
  report.figure(
    'logging.syncbus',
    'logging',
    'syncbus: logObjectChange, one transaction per change, 3 targets',
    'changes/s',
    rates(syncbus),
  );
  report.figure(
    'logging.floor',
    'logging',
    'floor: raw inserts of task + 3 synchronization rows per transaction',
    'changes/s',
    rates(floor),
  );
  report.figure(
    'logging.syncbus.p50',
    'logging',
    'syncbus: p50 latency of a logged change',
    'ms',
    pct(syncbus, 50),
  );
  report.figure(
    'logging.syncbus.p99',
    'logging',
    'syncbus: p99 latency of a logged change',
    'ms',
    pct(syncbus, 99),
  );
  report.figure('logging.floor.p50', 'logging', 'floor: p50 latency per change', 'ms', pct(floor, 50));
  report.figure('logging.floor.p99', 'logging', 'floor: p99 latency per change', 'ms', pct(floor, 99));
  // Added latency: the host's own TypeORM save per transaction, with staging capturing it minus without.
  const added = (p: number) =>
    staged.map((r, i) => percentile(r.latencies!, p) - percentile(baseline[i].latencies!, p));
  report.figure(
    'logging.host.baseline.p50',
    'logging',
    'host save() per transaction without staging: p50',
    'ms',
    pct(baseline, 50),
  );
  report.figure(
    'logging.host.baseline.p99',
    'logging',
    'host save() per transaction without staging: p99',
    'ms',
    pct(baseline, 99),
  );
  const addedP50 = report.figure(
    'logging.added.p50',
    'logging',
    'added latency per change (staged - baseline): p50',
    'ms',
    added(50),
  );
  const addedP99 = report.figure(
    'logging.added.p99',
    'logging',
    'added latency per change (staged - baseline): p99',
    'ms',
    added(99),
  );
  const ratio = report.ratio('logging', 'syncbus / floor', 'logging.syncbus', 'logging.floor');
  report.goal('logging: at least 0.5x the raw-driver floor', '>= 0.5x', `${ratio.toFixed(2)}x`, ratio >= 0.5);
  report.goal(
    'logging: p99 added latency under 1 ms (SQLite)',
    '< 1 ms',
    `${addedP99.toFixed(2)} ms (p50 ${addedP50.toFixed(2)} ms)`,
    addedP99 < 1,
  );
}

/** Workload 2. */
export async function bulkLoggingWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const n = sizes.bulkChanges;
  const results = await interleavedRounds(ctx.rounds, [
    { name: 'floor', run: () => loggingRound(ctx, 'logging-floor', 'bulk', n) },
    { name: 'syncbus', run: () => loggingRound(ctx, 'syncbus-logging', 'bulk', n) },
  ]);
  const count = n.toLocaleString('en-US');
  report.figure(
    'bulk.syncbus',
    'bulk',
    `syncbus: ${count} changes in one transaction, 3 targets`,
    'tasks/s',
    rates(results.get('syncbus')!),
  );
  report.figure(
    'bulk.floor',
    'bulk',
    `floor: ${count} changes in one transaction, batched inserts`,
    'tasks/s',
    rates(results.get('floor')!),
  );
  report.ratio('bulk', 'syncbus / floor', 'bulk.syncbus', 'bulk.floor');
}
