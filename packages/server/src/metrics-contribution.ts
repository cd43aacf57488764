// The extension point through which packages and plugins add their series to the node's one metrics registry.
import type { Registry } from 'prom-client';

/**
 * Bound (multi) under this token: `{ provide: MetricsContribution, useExisting: MyMetrics }`. Each registers its
 * counters, gauges and histograms into the node's registry (never prom-client's global one) when the node's
 * metrics are built, and keeps them up to date itself (events, or a gauge's `collect`).
 */
export const MetricsContribution = Symbol('MetricsContribution');
/** Series a package or plugin adds to the node's metrics (bound under the token of the same name). */
export interface MetricsContribution {
  /** Registers the series into the node's `registry`; called once, when the node's metrics are built. */
  registerMetrics(registry: Registry): void;
}
