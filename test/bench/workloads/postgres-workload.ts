// Workload 6: workloads 1 and 3 with the source on PostgreSQL: worker processes sharing one backlog through
// LeaseQueue's leases (1 and 2 to one target, 1, 2 and 4 to four targets), and the takeover after a worker is
// killed. Every measurement gets a fresh database, dropped after.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { postgresUnavailable, withPostgresDatabase } from '../harness/postgres-database';
import { percentile, ratePerSecond } from '../harness/stats';
import type { LoggingResult } from '../floors/logging-floor';
import { pluginMissing } from './autosync-workload';
import { measureDrain, type DrainMeasurement } from './drain-contenders';
import { syncbusDrain } from './drain-workload';
import { LOGGING_TARGETS, loggingRound } from './logging-workload';
import { takeoverFigures } from './postgres-takeover';

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

  await drainFigures(ctx);
  const missing = pluginMissing();
  if (missing) report.skip('postgres takeover', `${missing}; run \`npm run build\` first`);
  else await takeoverFigures(ctx);
}

/** A drain of workload 6: worker processes sharing one backlog, each task for every one of `targets` targets. */
interface DrainShape {
  readonly key: string;
  readonly targets: number;
  readonly workers: number;
}

/** One target with one and two workers (against the SQLite drain), then the worker curve to four targets. */
const DRAINS: readonly DrainShape[] = [
  { key: 'pg.drain.1', targets: 1, workers: 1 },
  { key: 'pg.drain.2', targets: 1, workers: 2 },
  { key: 'pg.curve.1', targets: 4, workers: 1 },
  { key: 'pg.curve.2', targets: 4, workers: 2 },
  { key: 'pg.curve.4', targets: 4, workers: 4 },
];

/** `1 worker process`, `2 worker processes`. */
function workerProcesses(workers: number): string {
  return `${workers} worker process${workers === 1 ? '' : 'es'}`;
}

/**
 * Where the machine's cores went during a drain, and the CPU per task applied of the processes that do the work:
 * what bounds a curve that flattens (no idle core left, or a cost per task that grows with the workers).
 */
function cpuFigures(
  ctx: BenchContext,
  { key, targets, workers }: DrainShape,
  runs: readonly DrainMeasurement[],
) {
  const cores = ctx.report.machine.cores;
  const label = `CPU, ${workerProcesses(workers)} to ${targets} targets`;
  for (const [part, what] of [
    ['drainers', 'the workers'],
    ['receivers', 'the targets'],
    ['postgres', 'PostgreSQL'],
    ['idle', 'idle'],
    ['other', 'the rest (other jobs, steal)'],
  ] as const) {
    ctx.report.figure(
      `${key}.cpu.${part}`,
      'postgres',
      `${label}: ${what}`,
      `% of ${cores} cores`,
      runs.map((m) => 100 * m.cpu[part]),
    );
  }
  ctx.report.figure(
    `${key}.cpu.perTask`,
    'postgres',
    `${label}: workers + targets + PostgreSQL per task applied`,
    'ms',
    runs.map((m) => ((m.cpu.drainers + m.cpu.receivers + m.cpu.postgres) * cores * 1000) / m.tasksPerSecond),
  );
}

/** Runs the drains interleaved and records their rates, the curve's CPU split, ratios and goals. */
async function drainFigures(ctx: BenchContext): Promise<void> {
  const { report } = ctx;
  const tasks = ctx.sizes.postgresDrainTasks;
  const n = tasks.toLocaleString('en-US');
  const drains = await interleavedRounds(
    ctx.rounds,
    DRAINS.map((shape) => ({
      name: shape.key,
      run: () =>
        withDatabase(ctx, (url) =>
          measureDrain(
            ctx,
            syncbusDrain(ctx, tasks, { sourceUrl: url, targets: shape.targets, workers: shape.workers }),
          ),
        ),
    })),
  );
  for (const shape of DRAINS) {
    const runs = drains.get(shape.key)!;
    const to =
      shape.targets === 1 ? 'to 1 target' : `to each of ${shape.targets} targets (each its own process)`;
    report.figure(
      shape.key,
      'postgres',
      `syncbus drain, ${n} tasks ${to}, ${workerProcesses(shape.workers)}`,
      'tasks/s',
      runs.map((m) => m.tasksPerSecond),
      shape.targets === 1 ? undefined : 'tasks applied per second, summed over the targets',
    );
    if (shape.targets > 1) cpuFigures(ctx, shape, runs);
  }
  report.ratio('postgres', 'drain: 2 workers / 1 worker', 'pg.drain.2', 'pg.drain.1');
  if (report.figures.some((f) => f.key === 'drain.syncbus')) {
    report.ratio(
      'postgres',
      'drain: PostgreSQL source (1 worker) / SQLite source',
      'pg.drain.1',
      'drain.syncbus',
    );
  }
  for (const [workers, wanted] of [
    [2, 1.6],
    [4, 2.5],
  ] as const) {
    const ratio = report.ratio(
      'postgres',
      `drain to 4 targets: ${workers} workers / 1 worker`,
      `pg.curve.${workers}`,
      'pg.curve.1',
    );
    report.goal(
      `scale-out: ${workers} worker processes draining one backlog to 4 targets at ${wanted}x one`,
      `>= ${wanted}x`,
      `${ratio.toFixed(2)}x`,
      ratio >= wanted,
    );
  }
}
