// Runs one benchmark role in its own Node process, so its CPU and peak RSS are its own; bounded in time.
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChildUsage, FromChild, ToChild } from './child-messages';
import { RssSampler } from './rss-sampler';

/** How to start a child. */
export interface BenchChildOptions {
  /** Name of a role in `roles/index` (e.g. `raw-receiver`). */
  readonly role: string;
  readonly config?: unknown;
  /** The child is killed, and its promises rejected, after this long. */
  readonly timeoutMs: number;
  /** Folder for a `--cpu-prof` profile of this child. */
  readonly profileDir?: string;
  /** The error to fail with on timeout (e.g. the run's budget ran out); default: a timeout error. */
  readonly timeoutError?: () => Error;
}

/** The outcome of a role, with the resources its process used. */
export interface ChildOutcome<T> {
  readonly value: T;
  readonly usage: ChildUsage;
  /** Peak resident set size of the process, in bytes (the larger of /proc sampling and getrusage). */
  readonly peakRssBytes: number;
}

let started = 0;

/** A running child. `ready` resolves when the role says so (servers: with their port); `outcome` when it ends. */
export class BenchChild<TReady = unknown, TResult = unknown> {
  readonly ready: Promise<TReady>;
  readonly outcome: Promise<ChildOutcome<TResult>>;
  private readonly process: ChildProcess;
  private readonly sampler: RssSampler;
  private exited = false;
  private readonly exit: Promise<void>;

  constructor(private readonly options: BenchChildOptions) {
    const execArgv = ['--enable-source-maps'];
    if (options.profileDir) {
      execArgv.push(
        '--cpu-prof',
        '--cpu-prof-dir',
        options.profileDir,
        '--cpu-prof-name',
        `${options.role}-${++started}.cpuprofile`,
      );
    }
    this.process = fork(join(__dirname, '..', 'child.js'), [], {
      execArgv,
      serialization: 'advanced',
      stdio: 'inherit',
    });
    this.sampler = new RssSampler(this.process.pid!);
    this.exit = new Promise((resolve) => this.process.once('exit', () => resolve()));
    let resolveReady!: (value: TReady) => void;
    let rejectReady!: (error: Error) => void;
    this.ready = new Promise<TReady>((res, rej) => ((resolveReady = res), (rejectReady = rej)));
    this.outcome = new Promise<ChildOutcome<TResult>>((resolve, reject) => {
      const fail = (error: Error) => {
        rejectReady(error);
        reject(error);
        this.kill();
      };
      const timer = setTimeout(
        () =>
          fail(
            new Error(
              `bench child '${options.role}' did not finish within ${options.timeoutMs} ms; killed it`,
            ),
          ),
        options.timeoutMs,
      );
      this.process.on('message', (message: FromChild) => {
        if (message.kind === 'ready') resolveReady(message.value as TReady);
        else if (message.kind === 'error') {
          clearTimeout(timer);
          fail(new Error(`bench child '${options.role}' failed: ${message.stack ?? message.message}`));
        } else if (message.kind === 'result') {
          clearTimeout(timer);
          this.sampler.sample();
          resolve({
            value: message.value as TResult,
            usage: message.usage,
            peakRssBytes: Math.max(this.sampler.peakBytes, message.usage.maxRssBytes),
          });
        }
      });
      this.process.on('exit', (code, signal) => {
        this.exited = true;
        this.sampler.stop();
        clearTimeout(timer);
        fail(
          new Error(
            `bench child '${options.role}' exited (code ${code}, signal ${signal}) before its result`,
          ),
        );
      });
      this.process.on('error', (error) => fail(error));
    });
    // The exit handler rejects after a result too; only the first settlement counts, so silence the rest.
    this.ready.catch(() => undefined);
    this.outcome.catch(() => undefined);
    this.send({ kind: 'init', role: options.role, config: options.config });
  }

  /** Starts a role and waits until it is ready. */
  static async start<R, T>(options: BenchChildOptions): Promise<{ child: BenchChild<R, T>; ready: R }> {
    const child = new BenchChild<R, T>(options);
    return { child, ready: await child.ready };
  }

  /** Starts a role that runs to its result (no ready step) and waits for it. */
  static run<T>(options: BenchChildOptions): Promise<ChildOutcome<T>> {
    return new BenchChild<unknown, T>(options).outcome;
  }

  get pid(): number {
    return this.process.pid!;
  }

  /** Tells the role to go on (roles that wait for a start signal). */
  go(value?: unknown): void {
    this.send({ kind: 'go', value });
  }

  /** Asks a server role to stop and returns its outcome. */
  async stop(): Promise<ChildOutcome<TResult>> {
    this.sampler.sample();
    this.send({ kind: 'stop' });
    return this.outcome;
  }

  /**
   * Lets the process exit by itself (it does right after its result; a CPU profile is written then), killing it
   * after `graceMs`. Call it in `finally`.
   */
  async dispose(graceMs = 10_000): Promise<void> {
    if (this.exited) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exit, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    this.kill();
  }

  /** Kills the process at once (used on failure and timeouts). */
  kill(): void {
    if (!this.exited) this.process.kill('SIGKILL');
  }

  private send(message: ToChild): void {
    if (!this.exited && this.process.connected) this.process.send(message);
  }
}
