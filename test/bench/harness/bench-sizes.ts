// How much work each workload does in a full and in a quick run (rates, not totals, are compared).
/** Sizes of one run. */
export interface BenchSizes {
  /** Workload 1: changes per round, one transaction each. */
  readonly loggingChanges: number;
  /** Workload 2: changes in the one import transaction. */
  readonly bulkChanges: number;
  /** Workload 3: pending tasks drained per round (syncbus, floor, BullMQ). */
  readonly drainTasks: number;
  /** Workload 3a: the naive loop does one request per task, so it drains a slice; its rate is what counts. */
  readonly naiveTasks: number;
  /** Workload 4: steady change rate and duration. */
  readonly autosyncRatePerSecond: number;
  readonly autosyncSeconds: number;
  /** Workload 5: the large backlog, against `drainTasks`. */
  readonly scaleTasks: number;
  /** Workload 6: PostgreSQL sizes. */
  readonly postgresLoggingChanges: number;
  readonly postgresDrainTasks: number;
}

/** The sizes. */
export const FULL_SIZES: BenchSizes = {
  loggingChanges: 5_000,
  bulkChanges: 100_000,
  drainTasks: 100_000,
  naiveTasks: 10_000,
  autosyncRatePerSecond: 200,
  autosyncSeconds: 20,
  scaleTasks: 1_000_000,
  postgresLoggingChanges: 2_000,
  postgresDrainTasks: 100_000,
};

/** Scaled down to finish under 90 s; rates stay comparable, the 10x scale ratio is kept. */
export const QUICK_SIZES: BenchSizes = {
  loggingChanges: 1_000,
  bulkChanges: 20_000,
  drainTasks: 10_000,
  naiveTasks: 1_500,
  autosyncRatePerSecond: 200,
  autosyncSeconds: 3,
  scaleTasks: 100_000,
  postgresLoggingChanges: 500,
  postgresDrainTasks: 10_000,
};
