// How much work each workload does in a full and in a quick run (rates, not totals, are compared).
/** Sizes of one run. */
export interface BenchSizes {
  /** Rounds per figure unless --rounds says otherwise. */
  readonly rounds: number;
  /** Workload 1: changes per round, one transaction each. */
  readonly loggingChanges: number;
  /** Workload 2: changes in the one import transaction. */
  readonly bulkChanges: number;
  /** Workload 3: pending tasks drained per round by syncbus and by BullMQ (b). */
  readonly drainTasks: number;
  /** Workload 3: the floor (c) drains the full backlog; it is fast enough to. */
  readonly floorDrainTasks: number;
  /** Workload 3a: the naive loop does one request per task, so it drains a slice; its rate is what counts. */
  readonly naiveTasks: number;
  /** Workload 4: steady change rate and duration. */
  readonly autosyncRatePerSecond: number;
  readonly autosyncSeconds: number;
  /**
   * Workload 4: the first seconds of the steady rate, not in the percentiles of either contender: a node's first
   * requests pay one-off costs (JIT, connections, prepared statements) that a long-running node does not.
   */
  readonly autosyncWarmupSeconds: number;
  /** Workload 5: the large and the small backlog, each drained for `scaleWindowSeconds`. */
  readonly scaleTasks: number;
  readonly scaleSmallTasks: number;
  readonly scaleWindowSeconds: number;
  /** Workload 6: PostgreSQL sizes. */
  readonly postgresLoggingChanges: number;
  readonly postgresDrainTasks: number;
  /** Workload 6's takeover: a backlog meant to outlast the short lease (whether it did is reported). */
  readonly postgresTakeoverTasks: number;
  /** Workload 7: the small and the large backlog a page of the admin task list is timed on, samples per query. */
  readonly adminPagingSmallTasks: number;
  readonly adminPagingTasks: number;
  readonly adminPagingSamples: number;
  /** Workload 8: outgoing integration tasks drained per round, and the staging drain it is compared with. */
  readonly integrationDrainTasks: number;
}

/**
 * The full run, sized to finish in 10 minutes on 2 cores at today's rates: the 100,000-task drains
 * take minutes per round for the contenders that post through the syncbus receiver (about 1,000 tasks/s here),
 * so they drain a slice of it; the floor drains the full 100,000. Rates, not totals, are compared.
 */
export const FULL_SIZES: BenchSizes = {
  rounds: 3,
  loggingChanges: 3_000,
  bulkChanges: 50_000,
  drainTasks: 15_000,
  floorDrainTasks: 100_000,
  naiveTasks: 3_000,
  autosyncRatePerSecond: 200,
  autosyncSeconds: 20,
  autosyncWarmupSeconds: 1,
  scaleTasks: 1_000_000,
  scaleSmallTasks: 100_000,
  scaleWindowSeconds: 20,
  postgresLoggingChanges: 1_500,
  postgresDrainTasks: 5_000,
  postgresTakeoverTasks: 20_000,
  adminPagingSmallTasks: 10_000,
  adminPagingTasks: 1_000_000,
  adminPagingSamples: 30,
  integrationDrainTasks: 15_000,
};

/** A smoke run under 90 s: one round, small sizes, the 10x scale ratio kept. */
export const QUICK_SIZES: BenchSizes = {
  rounds: 1,
  loggingChanges: 500,
  bulkChanges: 10_000,
  drainTasks: 2_000,
  floorDrainTasks: 10_000,
  naiveTasks: 500,
  autosyncRatePerSecond: 200,
  autosyncSeconds: 3,
  autosyncWarmupSeconds: 0.5,
  scaleTasks: 100_000,
  scaleSmallTasks: 10_000,
  scaleWindowSeconds: 4,
  postgresLoggingChanges: 300,
  postgresDrainTasks: 1_000,
  postgresTakeoverTasks: 5_000,
  adminPagingSmallTasks: 10_000,
  adminPagingTasks: 100_000,
  adminPagingSamples: 10,
  integrationDrainTasks: 2_000,
};
