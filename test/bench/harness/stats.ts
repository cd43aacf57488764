// Medians and percentiles: every reported figure is a median of rounds, latencies are percentiles of samples.

/** The median of `values` (mean of the middle two for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** The `p`-th percentile (0..100, nearest rank) of `values`; NaN when empty. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** p50, p99 and max of latency samples (ms). */
export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
}

/** Summarises latency samples. */
export function summarizeLatencies(samples: ArrayLike<number>): LatencySummary {
  let max = Number.NaN;
  for (let i = 0; i < samples.length; i++) max = i === 0 ? samples[i] : Math.max(max, samples[i]);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), max, samples: samples.length };
}

/** Items per second for `count` items done in `ms`. */
export function ratePerSecond(count: number, ms: number): number {
  return ms > 0 ? (count * 1000) / ms : Number.NaN;
}
