// What the overview's charts draw: deliveries per 10 s (from task.delivered events) and pending over time (from
// polling /servers and /integration/connectors), kept in the page for the last ten minutes, per card.

const BUCKET_MS = 10_000;
const KEEP_MS = 10 * 60_000;

interface Series {
  delivered: number[]; // delivery times (epoch ms)
  pending: { at: number; value: number }[];
}

/** Samples per card key (`server:production`, `connector:crm`). */
export class ThroughputHistory {
  private readonly series = new Map<string, Series>();
  private readonly outcomes = new Map<string, { readonly error: string | null; readonly at: number }>();
  readonly since = Date.now();

  /** The last delivery outcome seen live: `error` null when the last batch got through. */
  outcome(key: string): { readonly error: string | null; readonly at: number } | undefined {
    return this.outcomes.get(key);
  }

  /** A whole batch failed (the target down or answering wrongly). */
  batchFailed(key: string, error: string, at = Date.now()): void {
    this.outcomes.set(key, { error, at });
  }

  private of(key: string): Series {
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = { delivered: [], pending: [] }));
    return series;
  }

  delivered(key: string, at = Date.now()): void {
    const series = this.of(key);
    this.outcomes.set(key, { error: null, at });
    series.delivered.push(at);
    this.trim(series, at);
  }

  pending(key: string, value: number, at = Date.now()): void {
    const series = this.of(key);
    series.pending.push({ at, value });
    this.trim(series, at);
  }

  /** Deliveries in the last minute (since the page opened, if that is less). */
  deliveredLastMinute(key: string, now = Date.now()): number {
    return this.of(key).delivered.filter((at) => at > now - 60_000).length;
  }

  /** uPlot data: bucket starts (s), deliveries per bucket, pending at the bucket's last sample (or null). */
  chartData(key: string, now = Date.now()): [number[], number[], (number | null)[]] {
    const series = this.of(key);
    const end = Math.floor(now / BUCKET_MS) * BUCKET_MS;
    const start = Math.max(end - 29 * BUCKET_MS, Math.floor(this.since / BUCKET_MS) * BUCKET_MS - BUCKET_MS);
    const times: number[] = [];
    const delivered: number[] = [];
    const pending: (number | null)[] = [];
    let sample = 0;
    let last: number | null = null;
    for (let bucket = start; bucket <= end; bucket += BUCKET_MS) {
      times.push(bucket / 1000);
      delivered.push(series.delivered.filter((at) => at >= bucket && at < bucket + BUCKET_MS).length);
      while (sample < series.pending.length && series.pending[sample].at < bucket + BUCKET_MS) {
        last = series.pending[sample].value;
        sample += 1;
      }
      pending.push(last);
    }
    return [times, delivered, pending];
  }

  private trim(series: Series, now: number): void {
    const cutoff = now - KEEP_MS;
    while (series.delivered.length > 0 && series.delivered[0] < cutoff) series.delivered.shift();
    while (series.pending.length > 0 && series.pending[0].at < cutoff) series.pending.shift();
  }
}
