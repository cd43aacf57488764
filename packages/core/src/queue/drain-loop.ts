// One kickable background loop per queue target: coalesces kicks into passes, sleeps until work is due, backs off
// from a failing target, and stops after the pass in hand. Drains of staging servers and connectors share it.
import { retryDelayMs } from './backoff';

/** What one pass of a drain tells its loop. */
export interface DrainPass {
  /**
   * The target failed as a whole (unreachable, refusing). The loop backs off and kicks do not wake it until the
   * backoff ends, so a target that is down is not hammered by every new task.
   */
  readonly failed?: boolean;
  /** When the target next has work, as `LeaseQueue.nextDueAt` answers: 0 now, epoch ms later, undefined none. */
  readonly nextDueAt?: number;
  /** False when the pass claimed nothing; work "due now" that nobody could claim then waits `minPauseMs`. */
  readonly worked?: boolean;
}

/** How a `DrainLoop` runs. */
export interface DrainLoopOptions {
  /** Drains what it can (claim, deliver, record) and says what is next; a throw counts as a failed pass. */
  readonly drain: () => Promise<DrainPass>;
  /** Longest idle sleep without a kick, for work other processes logged in the same database; 0: kicks only. */
  readonly pollIntervalMs: number;
  /** Delays after consecutive failed passes: doubling from `baseDelayMs` up to `maxDelayMs`, with jitter. */
  readonly backoff: { readonly baseDelayMs: number; readonly maxDelayMs: number };
  /** Receives what a pass threw (log it); the loop goes on after the backoff. */
  readonly onError: (error: unknown) => void;
  /** Pause when work is due now but the pass claimed none (e.g. another node holds it), in ms. Default 50. */
  readonly minPauseMs?: number;
  readonly now?: () => number;
}

/** Longest delay `setTimeout` takes without firing at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs `drain` one pass at a time. `kick()` (new work was logged) runs a pass now, or right after the pass in
 * hand, however many kicks arrive: a burst becomes a few passes, each taking batches. Between passes it sleeps
 * until the next due time or the poll interval; after a failed pass, for the backoff. `stop()` lets the pass in
 * hand finish and starts no other.
 */
export class DrainLoop {
  private loop?: Promise<void>;
  private stopped = false;
  private kicked = false;
  private failures = 0;
  private passes = 0;
  private wake?: () => void;
  private kicksWake = true;

  constructor(private readonly options: DrainLoopOptions) {}

  /** Passes run so far (for tests and metrics). */
  get passCount(): number {
    return this.passes;
  }

  /** Failed passes in a row; 0 once a pass succeeds. */
  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Starts the loop with a first pass (work left from before a restart is drained). Idempotent. */
  start(): void {
    if (!this.stopped) this.loop ??= this.run();
  }

  /** New work may be due: run a pass soon (not while backing off from a failed target). */
  kick(): void {
    this.kicked = true;
    if (this.kicksWake) this.wake?.();
  }

  /** Ends the loop: the pass in hand finishes, no other starts. Safe to call twice. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      this.kicked = false;
      let pass: DrainPass;
      try {
        this.passes += 1;
        pass = await this.options.drain();
      } catch (error) {
        try {
          this.options.onError(error);
        } catch {
          // A failing error reporter must not end the loop.
        }
        pass = { failed: true };
      }
      if (this.stopped) break;
      const now = (this.options.now ?? Date.now)();
      if (pass.failed) {
        this.failures += 1;
        const delay = retryDelayMs(this.failures, { maxAttempts: 1, ...this.options.backoff });
        await this.sleep(Math.max(delay, (pass.nextDueAt ?? 0) - now), false);
        continue;
      }
      this.failures = 0;
      if (this.kicked) continue;
      if (pass.nextDueAt === 0) {
        if (pass.worked !== false) continue;
        await this.sleep(this.options.minPauseMs ?? 50, true);
        continue;
      }
      let delay = pass.nextDueAt === undefined ? Infinity : pass.nextDueAt - now;
      if (this.options.pollIntervalMs > 0) delay = Math.min(delay, this.options.pollIntervalMs);
      await this.sleep(delay, true);
    }
  }

  /** Sleeps `ms` (Infinity: until woken); a kick ends it early when `kicksWake`, `stop()` always. */
  private sleep(ms: number, kicksWake: boolean): Promise<void> {
    if (this.stopped || (kicksWake && this.kicked)) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.kicksWake = true;
        resolve();
      };
      if (Number.isFinite(ms)) {
        // A background loop never keeps a process alive on its own: the kernel decides that.
        timer = setTimeout(done, Math.min(Math.max(0, ms), MAX_TIMER_MS));
        timer.unref();
      }
      this.kicksWake = kicksWake;
      this.wake = done;
    });
  }
}
