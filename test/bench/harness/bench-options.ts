// Command-line options of `npm run bench`: which workloads, how big, where the JSON goes.
import { resolve } from 'node:path';

/** Every workload the benchmark knows, in run order. */
export const WORKLOAD_NAMES = [
  'logging',
  'bulk',
  'drain',
  'autosync',
  'scale',
  'postgres',
  'admin-paging',
  'integration',
] as const;
/** One workload's name. */
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** Parsed options. */
export interface BenchOptions {
  /** Smaller sizes and fewer rounds, under 90 s on a 2-core machine. */
  readonly quick: boolean;
  /** JSON file the figures are written to (absolute). */
  readonly out?: string;
  /** Workloads to run (default: all). */
  readonly only: readonly WorkloadName[];
  /** Rounds per figure (the median is reported); default: the sizes' own (3 full, 1 quick). */
  readonly rounds?: number;
  /** Hard stop for the whole run, in seconds. */
  readonly budgetSeconds: number;
  /** Write a CPU profile of every child process into this folder (`node --cpu-prof`). */
  readonly profileDir?: string;
}

const USAGE = `usage: npm run bench -- [--quick] [--out FILE] [--only logging,drain,...] [--rounds N]
                        [--budget SECONDS] [--profile DIR]
workloads: ${WORKLOAD_NAMES.join(', ')}`;

/** Thrown for a bad command line; the message shows the usage. */
export class BenchUsageError extends Error {
  constructor(problem: string) {
    super(`${problem}\n${USAGE}`);
  }
}

/** Parses `argv` (without node and the script). */
export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  let quick = false;
  let out: string | undefined;
  let only: WorkloadName[] = [...WORKLOAD_NAMES];
  let rounds: number | undefined;
  let budget: number | undefined;
  let profileDir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith('--')) throw new BenchUsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--quick') quick = true;
    else if (arg === '--out') out = resolve(value());
    else if (arg === '--profile') profileDir = resolve(value());
    else if (arg === '--only') {
      const names = value().split(',');
      const unknown = names.filter((n) => !(WORKLOAD_NAMES as readonly string[]).includes(n));
      if (unknown.length > 0) throw new BenchUsageError(`unknown workload(s): ${unknown.join(', ')}`);
      only = names as WorkloadName[];
    } else if (arg === '--rounds') rounds = positiveInt(arg, value());
    else if (arg === '--budget') budget = positiveInt(arg, value());
    else if (arg === '--help' || arg === '-h') throw new BenchUsageError('syncbus benchmark');
    else throw new BenchUsageError(`unknown option ${arg}`);
  }
  return {
    quick,
    out,
    only,
    rounds,
    budgetSeconds: budget ?? (quick ? 85 : 580),
    profileDir,
  };
}

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new BenchUsageError(`${name} must be a positive integer`);
  return n;
}
