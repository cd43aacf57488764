// `npm run bench`: runs the workloads of issue 8, prints a markdown table and writes the figures as JSON.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BenchContext } from './harness/bench-context';
import { BenchDeadline, BudgetExhaustedError } from './harness/bench-deadline';
import { BenchUsageError, parseBenchOptions, type WorkloadName } from './harness/bench-options';
import { BenchReport } from './harness/bench-report';
import { FULL_SIZES, QUICK_SIZES } from './harness/bench-sizes';
import { renderMarkdown } from './harness/markdown-table';
import { adminPagingWorkload } from './workloads/admin-paging-workload';
import { autosyncWorkload } from './workloads/autosync-workload';
import { drainWorkload } from './workloads/drain-workload';
import { integrationWorkload } from './workloads/integration-workload';
import { bulkLoggingWorkload, loggingWorkload } from './workloads/logging-workload';
import { postgresWorkload } from './workloads/postgres-workload';
import { scaleWorkload } from './workloads/scale-workload';

const WORKLOADS: Record<WorkloadName, (ctx: BenchContext) => Promise<void>> = {
  logging: loggingWorkload,
  bulk: bulkLoggingWorkload,
  drain: drainWorkload,
  autosync: autosyncWorkload,
  scale: scaleWorkload,
  postgres: postgresWorkload,
  'admin-paging': adminPagingWorkload,
  integration: integrationWorkload,
};

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchUsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  // A fresh shared secret per run, handed to children through the environment and never printed.
  process.env.SYNCBUS_BENCH_SECRET = randomBytes(32).toString('hex');
  const sizes = options.quick ? QUICK_SIZES : FULL_SIZES;
  const report = new BenchReport(options.quick ? 'quick' : 'full', sizes);
  const deadline = new BenchDeadline(options.budgetSeconds);
  const ctx = new BenchContext(options, sizes, report, deadline, randomBytes(4).toString('hex'));
  let failed = false;
  const started = Date.now();
  try {
    for (const name of options.only) {
      console.error(`workload ${name} (${Math.round(deadline.remainingMs() / 1000)} s of budget left)`);
      try {
        await WORKLOADS[name](ctx);
      } catch (error) {
        const message = (error as Error).message;
        report.skip(name, error instanceof BudgetExhaustedError ? message : `FAILED: ${message}`);
        if (!(error instanceof BudgetExhaustedError)) failed = true;
        console.error(`workload ${name} failed: ${(error as Error).stack}`);
      }
    }
  } finally {
    rmSync(ctx.scratchDir, { recursive: true, force: true });
  }
  const markdown = renderMarkdown(report);
  console.log(markdown);
  console.log(`\n(run took ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  if (options.out) {
    mkdirSync(dirname(options.out), { recursive: true });
    writeFileSync(options.out, JSON.stringify({ ...report.toJSON(), markdown }, null, 2) + '\n');
    console.error(`figures written to ${options.out}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
