// Workload 8: the integration bus's outgoing drain to a connector that answers at once, against the staging drain
// of the same backlog size in the same run (issue 16: at least 0.5x). The two are interleaved round by round.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds, type Contender } from '../harness/interleaved-rounds';
import { ratePerSecond } from '../harness/stats';
import type { IntegrationDrainResult } from '../syncbus/syncbus-integration-drain-role';
import type { IntegrationFillResult } from '../syncbus/syncbus-integration-fill-role';
import { measureDrain, type DrainMeasurement } from './drain-contenders';
import { SYNCBUS_BATCH_SIZE, syncbusDrain } from './drain-workload';

/** One measured integration drain. */
interface IntegrationDrainMeasurement {
  readonly tasksPerSecond: number;
  readonly peakRssBytes: number;
  /** CPU time of the draining process per task, in µs. */
  readonly cpuUsPerTask: number;
}

/**
 * Boots the draining node first (on a fresh SQLite file, idle), has another process log the backlog into the
 * same file through host changes, then wakes the drain and times it until the queue is empty. The drain role
 * checks that every logged task reached the connector exactly once and nothing is left; it fails the round if not.
 */
async function measureIntegrationDrain(
  ctx: BenchContext,
  tasks: number,
): Promise<IntegrationDrainMeasurement> {
  const config = {
    databaseUrl: `sqlite:${ctx.file('integration.sqlite')}`,
    batchSize: SYNCBUS_BATCH_SIZE,
    tasks,
    run: ctx.runId,
  };
  const { child } = await ctx.start<unknown, IntegrationDrainResult>('syncbus-integration-drain', config);
  try {
    const fill = await ctx.run<IntegrationFillResult>('syncbus-integration-fill', config);
    if (fill.value.queued !== tasks)
      throw new Error(`the fill queued ${fill.value.queued} of ${tasks} integration tasks`);
    child.go();
    const outcome = await child.outcome;
    const { delivered, calls, ms, cpuMs } = outcome.value;
    if (delivered !== tasks || calls !== tasks) {
      throw new Error(
        `the integration drain handed ${delivered} distinct tasks in ${calls} calls of ${tasks} logged; ` +
          'the figure would be wrong, so this workload stops here',
      );
    }
    return {
      tasksPerSecond: ratePerSecond(delivered, ms),
      peakRssBytes: outcome.peakRssBytes,
      cpuUsPerTask: (cpuMs * 1000) / delivered,
    };
  } finally {
    await child.dispose();
  }
}

/** Runs workload 8 and records its figures, ratio and goal. */
export async function integrationWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const tasks = sizes.integrationDrainTasks;
  const integration: IntegrationDrainMeasurement[] = [];
  const staging: DrainMeasurement[] = [];
  // Staging is measured here too (the same contender as workload 3's `syncbus`, same size), so the ratio is always
  // of two medians taken in interleaved rounds, whether or not workload 3 ran.
  const contenders: Contender<void>[] = [
    {
      name: 'integration',
      run: async () => void integration.push(await measureIntegrationDrain(ctx, tasks)),
    },
    {
      name: 'staging',
      run: async () => void staging.push(await measureDrain(ctx, syncbusDrain(ctx, tasks))),
    },
  ];
  await interleavedRounds(ctx.rounds, contenders);
  const n = tasks.toLocaleString('en-US');
  report.figure(
    'integration.drain',
    'integration',
    `integration: ${n} outgoing tasks, background drain to a connector that answers OK at once, batches of ${SYNCBUS_BATCH_SIZE}`,
    'tasks/s',
    integration.map((m) => m.tasksPerSecond),
  );
  report.figure(
    'integration.drain.cpu',
    'integration',
    'integration: CPU of the draining process per task',
    'µs',
    integration.map((m) => m.cpuUsPerTask),
  );
  report.figure(
    'integration.drain.rss',
    'integration',
    'integration: peak RSS of the draining process',
    'MB',
    integration.map((m) => m.peakRssBytes / 2 ** 20),
  );
  report.figure(
    'integration.staging',
    'integration',
    `staging: ${n} pending tasks, runSynchronization() to a syncbus target, batches of ${SYNCBUS_BATCH_SIZE} (workload 3's syncbus drain)`,
    'tasks/s',
    staging.map((m) => m.tasksPerSecond),
  );
  const ratio = report.ratio(
    'integration',
    'integration drain / staging drain',
    'integration.drain',
    'integration.staging',
  );
  report.goal('integration drain >= 0.5x staging drain', '>= 0.5x', `${ratio.toFixed(2)}x`, ratio >= 0.5);
}
