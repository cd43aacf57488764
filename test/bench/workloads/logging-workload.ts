// Workloads 1 and 2: logging a change (one per transaction, as a host request does) and an import (one
// transaction), with 3 enabled targets, against raw better-sqlite3 inserts of the same rows.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { percentile, ratePerSecond } from '../harness/stats';
import type { LoggingResult } from '../floors/logging-floor';

const TARGETS = 3;

async function floor(
  ctx: BenchContext,
  changes: number,
  mode: 'per-change' | 'bulk',
): Promise<LoggingResult> {
  const { child } = await ctx.start<unknown, LoggingResult>('logging-floor', {
    dbFile: ctx.file('floor.sqlite'),
    changes,
    targets: TARGETS,
    run: ctx.runId,
    mode,
  });
  child.go();
  return (await child.outcome).value;
}

/** Workload 1. */
export async function loggingWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const results = await interleavedRounds(ctx.options.rounds, [
    { name: 'floor', run: () => floor(ctx, sizes.loggingChanges, 'per-change') },
  ]);
  const floorRuns = results.get('floor')!;
  report.figure(
    'logging.floor',
    'logging',
    'floor: raw inserts, task + 3 synchronization rows, one transaction per change',
    'changes/s',
    floorRuns.map((r) => ratePerSecond(r.changes, r.ms)),
  );
  report.figure(
    'logging.floor.p50',
    'logging',
    'floor: p50 latency per change',
    'ms',
    floorRuns.map((r) => percentile(r.latencies!, 50)),
  );
  report.figure(
    'logging.floor.p99',
    'logging',
    'floor: p99 latency per change',
    'ms',
    floorRuns.map((r) => percentile(r.latencies!, 99)),
  );
  // TODO(issue 8): the syncbus side once @syncbus/staging's logging lands.
  report.skip('logging (syncbus)', 'the @syncbus/staging task logging has not landed yet');
}

/** Workload 2. */
export async function bulkLoggingWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const results = await interleavedRounds(ctx.options.rounds, [
    { name: 'floor', run: () => floor(ctx, sizes.bulkChanges, 'bulk') },
  ]);
  report.figure(
    'bulk.floor',
    'bulk',
    `floor: ${sizes.bulkChanges.toLocaleString('en-US')} changes in one transaction, batched inserts`,
    'tasks/s',
    results.get('floor')!.map((r) => ratePerSecond(r.changes, r.ms)),
  );
  report.skip('bulk (syncbus)', 'the @syncbus/staging task logging has not landed yet');
}
