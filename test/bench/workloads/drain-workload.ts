// Workload 3: drain a backlog to one target over loopback HTTP; syncbus against the naive loop, BullMQ and
// the raw floor, on the same payloads, the contenders interleaved round by round.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds, type Contender } from '../harness/interleaved-rounds';
import { measureDrain, type DrainMeasurement, type ReceiverSpec } from './drain-contenders';

/** The receiver the peers (a) and (b) post to: the syncbus target when it exists, else the raw receiver. */
export function sharedReceiver(ctx: BenchContext): ReceiverSpec {
  return rawReceiver(ctx);
}

/** A fresh raw fastify + better-sqlite3 receiver. */
export function rawReceiver(ctx: BenchContext): ReceiverSpec {
  return {
    role: 'raw-receiver',
    config: { dbFile: ctx.file('raw-target.sqlite'), secretEnv: ctx.secretEnv },
  };
}

/** Runs workload 3 and records its figures, ratios and goal. */
export async function drainWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const raw = (tasks: number) => (url: string) => ({
    queueFile: ctx.file('raw-queue.sqlite'),
    url,
    secretEnv: ctx.secretEnv,
    tasks,
    run: ctx.runId,
  });
  const contenders: Contender<DrainMeasurement>[] = [
    {
      name: 'floor (c)',
      run: () =>
        measureDrain(ctx, rawReceiver(ctx), 'raw-drain-floor', raw(sizes.drainTasks), sizes.drainTasks),
    },
    {
      name: 'naive (a)',
      run: () =>
        measureDrain(ctx, sharedReceiver(ctx), 'naive-drain', raw(sizes.naiveTasks), sizes.naiveTasks),
    },
    {
      name: 'BullMQ (b)',
      run: (round) =>
        measureDrain(
          ctx,
          sharedReceiver(ctx),
          'bullmq-drain',
          (url) => ({
            url,
            secretEnv: ctx.secretEnv,
            tasks: sizes.drainTasks,
            run: ctx.runId,
            queueName: `syncbus-bench-${ctx.runId}-drain-${round}`,
            redis: ctx.redis,
          }),
          sizes.drainTasks,
        ),
    },
  ];
  // TODO(issue 8): add the syncbus contender once @syncbus/staging's runner and receiver land.
  report.skip('drain (syncbus)', 'the @syncbus/staging runner and receiver have not landed yet');

  const results = await interleavedRounds(ctx.options.rounds, contenders);
  const rate = (name: string) => results.get(name)!.map((m) => m.tasksPerSecond);
  report.figure(
    'drain.floor',
    'drain',
    'floor (c): raw drivers, batches of 500, two in flight',
    'tasks/s',
    rate('floor (c)'),
  );
  report.figure(
    'drain.naive',
    'drain',
    `naive (a): one request per task in sequence (${sizes.naiveTasks.toLocaleString('en-US')} tasks)`,
    'tasks/s',
    rate('naive (a)'),
  );
  report.figure(
    'drain.bullmq',
    'drain',
    'BullMQ (b): worker concurrency 16, a POST per job',
    'tasks/s',
    rate('BullMQ (b)'),
  );
  report.ratio('drain', 'floor (c) / BullMQ (b)', 'drain.floor', 'drain.bullmq');
  report.ratio('drain', 'floor (c) / naive (a)', 'drain.floor', 'drain.naive');
}
