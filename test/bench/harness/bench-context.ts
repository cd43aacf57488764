// What every workload gets: options, sizes, the report to fill, the deadline, a scratch folder, shared settings.
import { mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { BenchDeadline } from './bench-deadline';
import { BenchChild, type BenchChildOptions, type ChildOutcome } from './bench-child';
import type { BenchOptions } from './bench-options';
import type { BenchReport } from './bench-report';
import type { BenchSizes } from './bench-sizes';

/** Shared state of one benchmark run. */
export class BenchContext {
  /** Environment variable the shared secret travels in (children inherit it; it is never printed). */
  readonly secretEnv = 'SYNCBUS_BENCH_SECRET';
  readonly redis = { host: '127.0.0.1', port: 6379 };
  readonly postgresAdminUrl =
    process.env.SYNCBUS_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  private fileCount = 0;

  /** Rounds per figure: --rounds, else the sizes' default. */
  get rounds(): number {
    return this.options.rounds ?? this.sizes.rounds;
  }

  constructor(
    readonly options: BenchOptions,
    readonly sizes: BenchSizes,
    readonly report: BenchReport,
    readonly deadline: BenchDeadline,
    /** Unique per run: payload namespaces, queue names. */
    readonly runId: string,
    readonly scratchDir: string = mkdtempSync(join(tmpdir(), 'syncbus-bench-')),
  ) {}

  /** A fresh file path in the scratch folder. */
  file(name: string): string {
    return join(this.scratchDir, `${++this.fileCount}-${name}`);
  }

  /** Starts a child role bounded by the run's deadline (and `wantedMs`). */
  start<R, T>(
    role: string,
    config: unknown,
    wantedMs = 300_000,
  ): Promise<{ child: BenchChild<R, T>; ready: R }> {
    return BenchChild.start<R, T>(this.childOptions(role, config, wantedMs));
  }

  /** Runs a child role to its result. */
  run<T>(role: string, config: unknown, wantedMs = 300_000): Promise<ChildOutcome<T>> {
    return BenchChild.run<T>(this.childOptions(role, config, wantedMs));
  }

  private childOptions(role: string, config: unknown, wantedMs: number): BenchChildOptions {
    const { timeoutMs, error } = this.deadline.timeoutFor(role, wantedMs);
    return { role, config, timeoutMs, timeoutError: error, profileDir: this.options.profileDir };
  }
}
