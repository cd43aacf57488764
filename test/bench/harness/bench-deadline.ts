// The run's time budget: every child gets at most what is left, and a workload that cannot fit is skipped.

/** Thrown when the run's budget is spent; the run reports what it measured so far. */
export class BudgetExhaustedError extends Error {
  constructor(what: string, budgetSeconds: number) {
    super(
      `the ${budgetSeconds} s budget ran out before ${what}; raise it with --budget or run fewer workloads`,
    );
  }
}

/** Tracks the remaining time of a run. */
export class BenchDeadline {
  private readonly endsAt: number;

  constructor(readonly budgetSeconds: number) {
    this.endsAt = Date.now() + budgetSeconds * 1000;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - Date.now());
  }

  /**
   * A child timeout: `wantedMs`, but never past the end of the budget (throws when nothing is left). When the
   * budget is what limits it, `error` is the budget's error rather than a plain timeout.
   */
  timeoutFor(what: string, wantedMs: number): { timeoutMs: number; error?: () => Error } {
    const left = this.remainingMs();
    if (left < 1000) throw new BudgetExhaustedError(what, this.budgetSeconds);
    if (wantedMs <= left) return { timeoutMs: wantedMs };
    return { timeoutMs: left, error: () => new BudgetExhaustedError(what, this.budgetSeconds) };
  }
}
