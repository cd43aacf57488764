// Workload 3: drain a backlog to one target over loopback HTTP; syncbus against the naive loop, BullMQ and
// the raw floor, on the same payloads, the contenders interleaved round by round.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds, type Contender } from '../harness/interleaved-rounds';
import { measureDrain, type DrainMeasurement, type DrainSpec, type RoleSpec } from './drain-contenders';

/** Tasks per request of the syncbus contender (the floor's batch size; the setting's default is 100). */
export const SYNCBUS_BATCH_SIZE = 500;

/** A fresh syncbus target node: the receiver syncbus, the naive loop and BullMQ all post to. */
export function syncbusTarget(
  ctx: BenchContext,
  databaseUrl = `sqlite:${ctx.file('target.sqlite')}`,
  conflictDetection = true,
): RoleSpec {
  return { role: 'syncbus-target', config: { databaseUrl, secretEnv: ctx.secretEnv, conflictDetection } };
}

/** A fresh raw fastify + better-sqlite3 receiver (the floor's). */
export function rawReceiver(ctx: BenchContext): RoleSpec {
  return {
    role: 'raw-receiver',
    config: { dbFile: ctx.file('raw-target.sqlite'), secretEnv: ctx.secretEnv },
  };
}

/**
 * A syncbus drain of `tasks`: backlog written by the fill role for `targets` target nodes (default 1, each its own
 * process), drained by `workers` source processes.
 */
export function syncbusDrain(
  ctx: BenchContext,
  tasks: number,
  options: {
    sourceUrl?: string;
    workers?: number;
    targets?: number;
    windowMs?: number;
    conflictDetection?: boolean;
  } = {},
): DrainSpec {
  const databaseUrl = options.sourceUrl ?? `sqlite:${ctx.file('source.sqlite')}`;
  const common = { databaseUrl, secretEnv: ctx.secretEnv };
  return {
    receivers: Array.from({ length: options.targets ?? 1 }, () =>
      syncbusTarget(ctx, undefined, options.conflictDetection),
    ),
    prepare: (urls) => ({
      role: 'syncbus-fill',
      config: { ...common, targetUrls: urls, tasks, run: ctx.runId },
    }),
    drainer: (urls) => ({
      role: 'syncbus-drain',
      config: { ...common, targetUrls: urls, batchSize: SYNCBUS_BATCH_SIZE, windowMs: options.windowMs },
    }),
    tasks,
    workers: options.workers,
    windowed: options.windowMs !== undefined,
  };
}

/** Runs workload 3 and records its figures, ratios and goal. */
export async function drainWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const raw =
    (role: string, tasks: number) =>
    ([url]: readonly string[]) => ({
      role,
      config: {
        queueFile: ctx.file('raw-queue.sqlite'),
        url,
        secretEnv: ctx.secretEnv,
        tasks,
        run: ctx.runId,
      },
    });
  const contenders: Contender<DrainMeasurement>[] = [
    { name: 'syncbus', run: () => measureDrain(ctx, syncbusDrain(ctx, sizes.drainTasks)) },
    {
      // The same drain with the target's conflict detection off: what detecting conflicts costs the receiver.
      name: 'syncbus, detection off',
      run: () => measureDrain(ctx, syncbusDrain(ctx, sizes.drainTasks, { conflictDetection: false })),
    },
    {
      name: 'floor (c)',
      run: () =>
        measureDrain(ctx, {
          receivers: [rawReceiver(ctx)],
          drainer: raw('raw-drain-floor', sizes.floorDrainTasks),
          tasks: sizes.floorDrainTasks,
        }),
    },
    {
      name: 'naive (a)',
      run: () =>
        measureDrain(ctx, {
          receivers: [syncbusTarget(ctx)],
          drainer: raw('naive-drain', sizes.naiveTasks),
          tasks: sizes.naiveTasks,
        }),
    },
    {
      // The same loop against the floor's receiver: what one request costs syncbus's receiver beyond the floor's
      // (auto-sync of single changes pays it on every change).
      name: 'naive, raw receiver',
      run: () =>
        measureDrain(ctx, {
          receivers: [rawReceiver(ctx)],
          drainer: raw('naive-drain', sizes.naiveTasks),
          tasks: sizes.naiveTasks,
        }),
    },
    {
      name: 'BullMQ (b)',
      run: (round) =>
        measureDrain(ctx, {
          receivers: [syncbusTarget(ctx)],
          drainer: ([url]) => ({
            role: 'bullmq-drain',
            config: {
              url,
              secretEnv: ctx.secretEnv,
              tasks: sizes.drainTasks,
              run: ctx.runId,
              queueName: `syncbus-bench-${ctx.runId}-drain-${round}`,
              redis: ctx.redis,
            },
          }),
          tasks: sizes.drainTasks,
        }),
    },
  ];

  const results = await interleavedRounds(ctx.rounds, contenders);
  const rate = (name: string) => results.get(name)!.map((m) => m.tasksPerSecond);
  const n = (count: number) => count.toLocaleString('en-US');
  report.figure(
    'drain.syncbus',
    'drain',
    `syncbus: ${n(sizes.drainTasks)} pending tasks, runSynchronization(), batches of ${SYNCBUS_BATCH_SIZE}`,
    'tasks/s',
    rate('syncbus'),
  );
  report.figure(
    'drain.syncbus.nodetect',
    'drain',
    "syncbus with the target's conflict detection off (`staging.receiver.conflicts.detect: false`)",
    'tasks/s',
    rate('syncbus, detection off'),
  );
  report.figure(
    'drain.syncbus.rss',
    'drain',
    'syncbus: peak RSS of the draining process',
    'MB',
    results.get('syncbus')!.map((m) => m.drainerPeakRssBytes / 2 ** 20),
  );
  report.figure(
    'drain.floor',
    'drain',
    `floor (c): ${n(sizes.floorDrainTasks)} tasks, raw drivers, batches of 500, two in flight, raw receiver`,
    'tasks/s',
    rate('floor (c)'),
  );
  report.figure(
    'drain.naive',
    'drain',
    `naive (a): one request per task in sequence (${n(sizes.naiveTasks)} tasks), syncbus receiver`,
    'tasks/s',
    rate('naive (a)'),
  );
  report.figure(
    'drain.naive.raw',
    'drain',
    `naive loop (${n(sizes.naiveTasks)} tasks) to the floor's raw receiver`,
    'tasks/s',
    rate('naive, raw receiver'),
  );
  report.figure(
    'drain.bullmq',
    'drain',
    `BullMQ (b): ${n(sizes.drainTasks)} jobs, worker concurrency 16, a POST per job, syncbus receiver`,
    'tasks/s',
    rate('BullMQ (b)'),
  );
  const toFloor = report.ratio('drain', 'syncbus / floor (c)', 'drain.syncbus', 'drain.floor');
  report.ratio('drain', 'syncbus / BullMQ (b)', 'drain.syncbus', 'drain.bullmq');
  report.ratio('drain', 'syncbus / naive (a)', 'drain.syncbus', 'drain.naive');
  report.ratio('drain', 'floor (c) / BullMQ (b)', 'drain.floor', 'drain.bullmq');
  report.ratio('drain', 'floor (c) / naive (a)', 'drain.floor', 'drain.naive');
  const detection = report.ratio(
    'drain',
    'conflict detection on / off',
    'drain.syncbus',
    'drain.syncbus.nodetect',
  );
  report.goal(
    'conflicts: drain with detection on at least 0.9x detection off (and no false conflict)',
    '>= 0.9x',
    `${detection.toFixed(2)}x`,
    detection >= 0.9,
  );
  report.goal('drain: at least 0.5x the raw floor (c)', '>= 0.5x', `${toFloor.toFixed(2)}x`, toFloor >= 0.5);
  const perRequest = report.ratio(
    'drain',
    'receiver per request: naive to syncbus / naive to raw receiver',
    'drain.naive',
    'drain.naive.raw',
  );
  report.goal(
    'receiver: one task per request at least 0.5x the raw receiver',
    '>= 0.5x',
    `${perRequest.toFixed(2)}x`,
    perRequest >= 0.5,
  );
}
