// Workload 5: does draining cost grow with the backlog? The same time window drained from a large and from a
// small backlog: the rates should match (cost linear in tasks) and the drainer's peak RSS should not grow.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { measureDrain } from './drain-contenders';
import { syncbusDrain } from './drain-workload';

/** Runs workload 5 (one round: writing the large backlog alone takes about a minute). */
export async function scaleWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const windowMs = sizes.scaleWindowSeconds * 1000;
  const drain = (tasks: number) =>
    measureDrain(ctx, { ...syncbusDrain(ctx, tasks, { windowMs }), wantedMs: 600_000 });
  const results = await interleavedRounds(1, [
    { name: 'small backlog', run: () => drain(sizes.scaleSmallTasks) },
    { name: 'large backlog', run: () => drain(sizes.scaleTasks) },
  ]);
  const n = (count: number) => count.toLocaleString('en-US');
  const note = `one round; first ${sizes.scaleWindowSeconds} s of the drain`;
  const [small] = results.get('small backlog')!;
  const [large] = results.get('large backlog')!;
  report.figure(
    'scale.small',
    'scale',
    `syncbus drain rate, ${n(sizes.scaleSmallTasks)}-task backlog`,
    'tasks/s',
    [small.tasksPerSecond],
    note,
  );
  report.figure(
    'scale.large',
    'scale',
    `syncbus drain rate, ${n(sizes.scaleTasks)}-task backlog`,
    'tasks/s',
    [large.tasksPerSecond],
    note,
  );
  report.figure(
    'scale.small.rss',
    'scale',
    `peak RSS of the drainer, ${n(sizes.scaleSmallTasks)}-task backlog`,
    'MB',
    [small.drainerPeakRssBytes / 2 ** 20],
    note,
  );
  const rss = report.figure(
    'scale.large.rss',
    'scale',
    `peak RSS of the drainer, ${n(sizes.scaleTasks)}-task backlog`,
    'MB',
    [large.drainerPeakRssBytes / 2 ** 20],
    note,
  );
  const ratio = report.ratio('scale', 'large / small backlog drain rate', 'scale.large', 'scale.small');
  report.goal(
    `scale: ${n(sizes.scaleTasks)}-task drain within 20% of the ${n(sizes.scaleSmallTasks)} rate`,
    '>= 0.8x',
    `${ratio.toFixed(2)}x`,
    ratio >= 0.8,
  );
  report.goal('scale: peak RSS of the drainer under 200 MB', '< 200 MB', `${rss.toFixed(0)} MB`, rss < 200);
}
