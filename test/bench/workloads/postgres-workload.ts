// Workload 6: workloads 1 and 3 with the source on PostgreSQL, draining with one and with two worker processes
// (they share the backlog through LeaseQueue's leases). Every measurement gets a fresh database, dropped after.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { postgresUnavailable, withPostgresDatabase } from '../harness/postgres-database';
import { percentile, ratePerSecond } from '../harness/stats';
import type { LoggingResult } from '../floors/logging-floor';
import { measureDrain } from './drain-contenders';
import { syncbusDrain } from './drain-workload';
import { LOGGING_TARGETS, loggingRound } from './logging-workload';

const withDatabase = withPostgresDatabase;

async function floorRound(ctx: BenchContext, databaseUrl: string): Promise<LoggingResult> {
  const { child } = await ctx.start<unknown, LoggingResult>('postgres-logging-floor', {
    databaseUrl,
    secretEnv: ctx.secretEnv,
    changes: ctx.sizes.postgresLoggingChanges,
    targets: LOGGING_TARGETS,
    run: ctx.runId,
  });
  child.go();
  return (await child.outcome).value;
}

/** Runs workload 6; skipped, with the reason, when PostgreSQL does not answer. */
export async function postgresWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const unavailable = await postgresUnavailable(ctx.postgresAdminUrl);
  if (unavailable) {
    report.skip('postgres', `${unavailable}; set SYNCBUS_BENCH_POSTGRES_URL or start PostgreSQL`);
    return;
  }
  const changes = sizes.postgresLoggingChanges;
  const logging = await interleavedRounds(ctx.rounds, [
    { name: 'pg floor', run: () => withDatabase(ctx, (url) => floorRound(ctx, url)) },
    {
      name: 'pg syncbus',
      run: () => withDatabase(ctx, (url) => loggingRound(ctx, 'syncbus-logging', 'per-change', changes, url)),
    },
  ]);
  const rates = (runs: readonly LoggingResult[]) => runs.map((r) => ratePerSecond(r.changes, r.ms));
  const floor = logging.get('pg floor')!;
  const syncbus = logging.get('pg syncbus')!;
  report.figure(
    'pg.logging.syncbus',
    'postgres',
    'syncbus logging, one transaction per change, 3 targets',
    'changes/s',
    rates(syncbus),
  );
  report.figure(
    'pg.logging.floor',
    'postgres',
    'floor: raw pg, task + 3 synchronization rows per transaction',
    'changes/s',
    rates(floor),
  );
  report.figure(
    'pg.logging.syncbus.p99',
    'postgres',
    'syncbus: p99 latency of a logged change',
    'ms',
    syncbus.map((r) => percentile(r.latencies!, 99)),
  );
  const ratio = report.ratio(
    'postgres',
    'logging: syncbus / floor',
    'pg.logging.syncbus',
    'pg.logging.floor',
  );
  report.goal(
    'logging on PostgreSQL: at least 0.5x the raw-driver floor',
    '>= 0.5x',
    `${ratio.toFixed(2)}x`,
    ratio >= 0.5,
  );

  const tasks = sizes.postgresDrainTasks;
  const drains = await interleavedRounds(
    ctx.rounds,
    [1, 2].map((workers) => ({
      name: `${workers} worker(s)`,
      run: () =>
        withDatabase(ctx, (url) => measureDrain(ctx, syncbusDrain(ctx, tasks, { sourceUrl: url, workers }))),
    })),
  );
  const n = tasks.toLocaleString('en-US');
  report.figure(
    'pg.drain.1',
    'postgres',
    `syncbus drain, ${n} tasks, 1 worker process`,
    'tasks/s',
    drains.get('1 worker(s)')!.map((m) => m.tasksPerSecond),
  );
  report.figure(
    'pg.drain.2',
    'postgres',
    `syncbus drain, ${n} tasks, 2 worker processes`,
    'tasks/s',
    drains.get('2 worker(s)')!.map((m) => m.tasksPerSecond),
  );
  report.ratio('postgres', 'drain: 2 workers / 1 worker', 'pg.drain.2', 'pg.drain.1');
  if (report.figures.some((f) => f.key === 'drain.syncbus')) {
    report.ratio(
      'postgres',
      'drain: PostgreSQL source (1 worker) / SQLite source',
      'pg.drain.1',
      'drain.syncbus',
    );
  }
}
