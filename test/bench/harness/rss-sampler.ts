// Samples a child's resident memory from /proc, so peak RSS is known per process (Linux; elsewhere a no-op).
import { readFileSync } from 'node:fs';

/** Polls `/proc/<pid>/status` and keeps the highest VmRSS and VmHWM (the kernel's own peak) seen. */
export class RssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 50,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    this.sample();
  }

  /** Highest resident set size seen so far, in bytes (0 when /proc is not readable). */
  get peakBytes(): number {
    return this.peak;
  }

  /** Takes a sample now (also called right before the child is told to stop). */
  sample(): void {
    let status: string;
    try {
      status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    } catch {
      return; // gone, or not Linux
    }
    for (const field of ['VmHWM', 'VmRSS']) {
      const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
      if (match) this.peak = Math.max(this.peak, Number(match[1]) * 1024);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
