// Workload 4: automatic sync latency at a steady rate, syncbus's auto-sync plugins against BullMQ's
// enqueue-to-delivered on the same receiver and payloads.
import type { BenchContext } from '../harness/bench-context';
import { interleavedRounds } from '../harness/interleaved-rounds';
import { summarizeLatencies, type LatencySummary } from '../harness/stats';
import { syncbusTarget } from './drain-workload';

async function bullmqLatency(ctx: BenchContext, round: number): Promise<LatencySummary> {
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
    return summarizeLatencies(value.latencies);
  } finally {
    await started.child.dispose();
  }
}

/** Runs workload 4. */
export async function autosyncWorkload(ctx: BenchContext): Promise<void> {
  const { sizes, report } = ctx;
  const results = await interleavedRounds(ctx.rounds, [
    { name: 'BullMQ', run: (round) => bullmqLatency(ctx, round) },
  ]);
  const bull = results.get('BullMQ')!;
  const rate = `${sizes.autosyncRatePerSecond}/s for ${sizes.autosyncSeconds} s`;
  report.figure(
    'autosync.bullmq.p50',
    'autosync',
    `BullMQ enqueue-to-delivered p50 (${rate})`,
    'ms',
    bull.map((s) => s.p50),
  );
  report.figure(
    'autosync.bullmq.p99',
    'autosync',
    `BullMQ enqueue-to-delivered p99 (${rate})`,
    'ms',
    bull.map((s) => s.p99),
  );
  report.figure(
    'autosync.bullmq.max',
    'autosync',
    `BullMQ enqueue-to-delivered max (${rate})`,
    'ms',
    bull.map((s) => s.max),
  );
  // TODO(issue 8): the syncbus side needs the auto-sync plugins (@syncbus/plugin-staging-autosync).
  report.skip('autosync (syncbus)', 'the auto-sync plugins have not landed yet');
}
