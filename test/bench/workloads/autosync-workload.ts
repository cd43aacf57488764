// Workload 4: automatic sync latency at a steady rate. syncbus: a host commits changes on a node with the staging
// auto-sync plugin, measured commit-on-source to applied-on-target; BullMQ: enqueue-to-delivered at the same
// rate, on the same (syncbus) receiver and payloads.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { postgresUnavailable, withPostgresDatabase } from '../harness/postgres-database';
import { summarizeLatencies, type LatencySummary } from '../harness/stats';
import { STAGING_AUTOSYNC_PLUGIN } from '../syncbus/syncbus-autosync-source-role';
import { syncbusTarget } from './drain-workload';

/** test/bench/dist/workloads -> the repository root, where the plugin packages are linked. */
export const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');

/** The steady part of a contender's latencies, and the worst of its warm-up (reported, not in the percentiles). */
interface AutosyncLatency {
  readonly steady: LatencySummary;
  readonly warmupMax: number;
}

/** Splits latencies (in the order the changes were made) into the warm-up and the steady part. */
function splitWarmup(ctx: BenchContext, latencies: ArrayLike<number>): AutosyncLatency {
  const all = Array.from(latencies);
  const warm = Math.round(ctx.sizes.autosyncRatePerSecond * ctx.sizes.autosyncWarmupSeconds);
  return { steady: summarizeLatencies(all.slice(warm)), warmupMax: Math.max(0, ...all.slice(0, warm)) };
}

async function bullmqLatency(ctx: BenchContext, round: number): Promise<AutosyncLatency> {
  const receiver = syncbusTarget(ctx);
  const started = await ctx.start<{ url: string }, unknown>(receiver.role, receiver.config);
  try {
    const { child } = await ctx.start<unknown, { latencies: Float64Array }>('bullmq-latency', {
      url: started.ready.url,
      secretEnv: ctx.secretEnv,
      ratePerSecond: ctx.sizes.autosyncRatePerSecond,
      seconds: ctx.sizes.autosyncSeconds,
      run: ctx.runId,
      queueName: `syncbus-bench-${ctx.runId}-latency-${round}`,
      redis: ctx.redis,
    });
    child.go();
    const { value } = await child.outcome;
    await started.child.stop();
    return splitWarmup(ctx, value.latencies);
  } finally {
    await started.child.dispose();
  }
}

/** The worker's poll in the scale-out variants: far above any latency measured, so only wake-ups deliver. */
export const WORKER_POLL_MS = 600_000;

/**
 * syncbus's side. In one process on SQLite (the default), or on PostgreSQL with `worker`: a web process that only
 * logs (`role: 'log-only'`) and a separate worker process that delivers, woken by the commits' notifications.
 */
async function syncbusLatency(ctx: BenchContext, worker?: { databaseUrl: string }): Promise<AutosyncLatency> {
  const target = ctx.start<{ url: string }, { applied: number; appliedAt: Map<string, number> }>(
    'syncbus-target',
    {
      databaseUrl: `sqlite:${ctx.file('target.sqlite')}`,
      secretEnv: ctx.secretEnv,
      trackApplied: true,
    },
  );
  const started = await target;
  const databaseUrl = worker?.databaseUrl ?? `sqlite:${ctx.file('source.sqlite')}`;
  const common = { databaseUrl, targetUrl: started.ready.url, secretEnv: ctx.secretEnv, baseDir: REPO_ROOT };
  const workerProcess = worker
    ? await ctx.start<unknown, unknown>('syncbus-autosync-worker', {
        ...common,
        pollIntervalMs: WORKER_POLL_MS,
      })
    : undefined;
  try {
    const { child } = await ctx.start<unknown, { committedAt: Float64Array; guids: string[] }>(
      'syncbus-autosync-source',
      {
        ...common,
        ratePerSecond: ctx.sizes.autosyncRatePerSecond,
        seconds: ctx.sizes.autosyncSeconds,
        run: ctx.runId,
        role: worker ? 'log-only' : 'all',
      },
    );
    child.go();
    const { value: source } = await child.outcome;
    const { value: target } = await started.child.stop();
    const latencies = source.guids.map((guid, i) => {
      const applied = target.appliedAt.get(guid);
      if (applied === undefined) throw new Error(`change ${i} (${guid}) was never applied on the target`);
      return applied - source.committedAt[i];
    });
    return splitWarmup(ctx, latencies);
  } finally {
    await workerProcess?.child.stop();
    await workerProcess?.child.dispose();
    await started.child.dispose();
  }
}

/** Why the auto-sync plugin cannot be loaded (not installed or not built), or undefined when it can. */
export function pluginMissing(): string | undefined {
  try {
    const manifest = require.resolve(`${STAGING_AUTOSYNC_PLUGIN}/package.json`, { paths: [REPO_ROOT] });
    const entry =
      (require(manifest) as { syncbus?: { modules?: string } }).syncbus?.modules ?? 'dist/index.js';
    return existsSync(join(dirname(manifest), entry)) ? undefined : `${STAGING_AUTOSYNC_PLUGIN} is not built`;
  } catch {
    return `${STAGING_AUTOSYNC_PLUGIN} is not installed`;
  }
}

/** Runs workload 4. */
export async function autosyncWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const missing = pluginMissing();
  if (missing) report.skip('autosync (syncbus)', `${missing}; run \`npm run build\` first`);
  const noPostgres = missing ?? (await postgresUnavailable(ctx.postgresAdminUrl));
  if (noPostgres && !missing) report.skip('autosync (PostgreSQL web process + worker)', noPostgres);
  const results = await interleavedRounds(ctx.rounds, [
    ...(missing ? [] : [{ name: 'syncbus', run: () => syncbusLatency(ctx) }]),
    ...(noPostgres
      ? []
      : [
          {
            name: 'syncbus worker',
            run: () => withPostgresDatabase(ctx, (databaseUrl) => syncbusLatency(ctx, { databaseUrl })),
          },
        ]),
    { name: 'BullMQ', run: (round: number) => bullmqLatency(ctx, round) },
  ]);
  const rate = `${sizes.autosyncRatePerSecond}/s for ${sizes.autosyncSeconds} s, first ${sizes.autosyncWarmupSeconds} s warm-up`;
  for (const [key, name, what] of [
    ['syncbus', 'syncbus', 'auto-sync commit-to-applied'],
    [
      'pgworker',
      'syncbus worker',
      'PostgreSQL, web process logs, worker process delivers: commit-to-applied',
    ],
    ['bullmq', 'BullMQ', 'BullMQ enqueue-to-delivered'],
  ] as const) {
    const runs = results.get(name);
    if (!runs) continue;
    report.figure(
      `autosync.${key}.p50`,
      'autosync',
      `${what} p50 (${rate})`,
      'ms',
      runs.map((s) => s.steady.p50),
    );
    report.figure(
      `autosync.${key}.p99`,
      'autosync',
      `${what} p99 (${rate})`,
      'ms',
      runs.map((s) => s.steady.p99),
    );
    report.figure(
      `autosync.${key}.max`,
      'autosync',
      `${what} max (${rate})`,
      'ms',
      runs.map((s) => s.steady.max),
    );
    report.figure(
      `autosync.${key}.warmupMax`,
      'autosync',
      `${what} max during the ${sizes.autosyncWarmupSeconds} s warm-up`,
      'ms',
      runs.map((s) => s.warmupMax),
    );
  }
  if (missing) return;
  const p50 = report.ratio(
    'autosync',
    'p50: syncbus / BullMQ',
    'autosync.syncbus.p50',
    'autosync.bullmq.p50',
  );
  const p99 = report.ratio(
    'autosync',
    'p99: syncbus / BullMQ',
    'autosync.syncbus.p99',
    'autosync.bullmq.p99',
  );
  const ms = (key: string) => `${report.value(key).toFixed(1)} ms`;
  report.goal(
    'auto-sync: p50 and p99 no worse than BullMQ at the same rate',
    '<= 1x BullMQ',
    `p50 ${ms('autosync.syncbus.p50')} vs ${ms('autosync.bullmq.p50')}, p99 ${ms('autosync.syncbus.p99')} vs ${ms('autosync.bullmq.p99')}`,
    p50 <= 1 && p99 <= 1,
  );
  if (noPostgres) return;
  const workerP50 = report.ratio(
    'autosync',
    'p50: PostgreSQL worker process / BullMQ',
    'autosync.pgworker.p50',
    'autosync.bullmq.p50',
  );
  const workerP99 = report.ratio(
    'autosync',
    'p99: PostgreSQL worker process / BullMQ',
    'autosync.pgworker.p99',
    'autosync.bullmq.p99',
  );
  report.goal(
    'scale-out: cross-process commit-to-applied p50 and p99 no worse than BullMQ',
    '<= 1x BullMQ',
    `p50 ${ms('autosync.pgworker.p50')} vs ${ms('autosync.bullmq.p50')}, p99 ${ms('autosync.pgworker.p99')} vs ${ms('autosync.bullmq.p99')}`,
    workerP50 <= 1 && workerP99 <= 1,
  );
}
