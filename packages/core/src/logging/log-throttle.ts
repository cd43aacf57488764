// Log lines about what strangers do (refused requests) at a bounded rate, so a client cannot flood the log.
import type { Logger } from './logger';

/**
 * Writes the first line of each reason at once and at most one line per reason per interval after it; the
 * next line written says how many were left out since the last one (`suppressed`). Counting every event is the
 * metrics' job, not the log's.
 */
export class LogThrottle {
  private readonly windows = new Map<string, { since: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** `logger.warn(fields, message)`, unless a line of the same `reason` was written less than an interval ago. */
  warn(reason: string, fields: Record<string, unknown>, message: string): void {
    const now = this.now();
    const window = this.windows.get(reason);
    if (window && now - window.since < this.intervalMs) {
      window.suppressed += 1;
      return;
    }
    const suppressed = window?.suppressed ?? 0;
    this.windows.set(reason, { since: now, suppressed: 0 });
    this.logger.warn({ ...fields, reason, ...(suppressed > 0 ? { suppressed } : {}) }, message);
  }
}
