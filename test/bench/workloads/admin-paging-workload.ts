// Workload 7: does a page of the admin API's task list (and the server list's totals) cost the same with a small
// and with a 100x larger backlog? Both backlogs are built in one child process and their samples interleaved;
// measured through `SynchronizationInfoProvider` (what the routes call), on SQLite and, when it answers, PostgreSQL.
import type { BenchContext } from '../harness/bench-context';
import {
  createPostgresDatabase,
  dropPostgresDatabase,
  postgresUnavailable,
} from '../harness/postgres-database';
import type { AdminPagingConfig, AdminPagingResult } from '../syncbus/syncbus-admin-paging-role';

/** The issue's goal: the large backlog's page at most this many times the small one's. */
const GOAL_RATIO = 1.5;

async function measure(ctx: BenchContext, engine: 'sqlite' | 'postgres'): Promise<void> {
  const { sizes, report } = ctx;
  const tasks = [sizes.adminPagingSmallTasks, sizes.adminPagingTasks];
  const created: string[] = [];
  const databaseUrls: string[] = [];
  for (const count of tasks) {
    if (engine === 'sqlite') databaseUrls.push(`sqlite:${ctx.file(`paging-${count}.sqlite`)}`);
    else {
      const name = `syncbus_bench_${ctx.runId}_paging_${count}`;
      databaseUrls.push(await createPostgresDatabase(ctx.postgresAdminUrl, name));
      created.push(name);
    }
  }
  try {
    const config: AdminPagingConfig = {
      databaseUrls,
      tasks,
      secretEnv: ctx.secretEnv,
      run: ctx.runId,
      samples: sizes.adminPagingSamples,
      maxMsPerQuery: 4000,
    };
    const { value } = await ctx.run<AdminPagingResult>('syncbus-admin-paging', config, 600_000);
    const n = (count: number) => count.toLocaleString('en-US');
    const note =
      'SynchronizationInfoProvider in-process, limit 51 as the route asks; median of interleaved samples';
    report.figure(
      `paging.${engine}.build`,
      'admin-paging',
      `${engine}: writing the ${n(tasks[1])}-task backlog (raw multi-row INSERTs, untimed setup)`,
      's',
      [value.buildMs[1] / 1000],
    );
    let worst = 0;
    let worstName = '';
    for (const [q, timing] of value.timings.entries()) {
      const key = `paging.${engine}.${q}`;
      for (const [i, count] of tasks.entries()) {
        report.figure(
          `${key}.${i}`,
          'admin-paging',
          `${engine}: ${timing.name}, ${n(count)} tasks (${timing.rows[i]} rows)`,
          'ms',
          [timing.medianMs[i]],
          `${note}; ${timing.samples[i]} samples`,
        );
      }
      const ratio = report.ratio(
        'admin-paging',
        `${engine}: ${timing.name}, ${n(tasks[1])} / ${n(tasks[0])} tasks`,
        `${key}.1`,
        `${key}.0`,
      );
      // Text filters read in logged order until the page is full (docs/admin-api.md, Scale): a rare value reads
      // most of the queue, so they are reported but not held to the goal.
      if (timing.indexed && ratio > worst) [worst, worstName] = [ratio, timing.name];
    }
    report.goal(
      `admin-paging (${engine}): every indexed page and the server totals cost the same at ${n(tasks[1])} tasks as at ${n(tasks[0])} (worst: ${worstName})`,
      `<= ${GOAL_RATIO}x`,
      `${worst.toFixed(2)}x`,
      worst <= GOAL_RATIO,
    );
  } finally {
    for (const name of created) await dropPostgresDatabase(ctx.postgresAdminUrl, name);
  }
}

/** Runs workload 7 on SQLite, then on PostgreSQL (reported as not measured, with the reason, when it is down). */
export async function adminPagingWorkload(ctx: BenchContext): Promise<void> {
  await measure(ctx, 'sqlite');
  const unavailable = await postgresUnavailable(ctx.postgresAdminUrl);
  if (unavailable) {
    ctx.report.skip(
      'admin-paging (postgres)',
      `${unavailable}; set SYNCBUS_BENCH_POSTGRES_URL or start PostgreSQL`,
    );
    return;
  }
  await measure(ctx, 'postgres');
}
