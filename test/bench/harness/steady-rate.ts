// Produces work at a steady rate (workload 4): item i starts at t0 + i/rate, never in a burst to catch up.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Calls `produce(i)` for i in 0..total-1 on schedule. Calls are not awaited one by one (a slow one must not
 * lower the offered rate), but every call is awaited before this resolves, and a rejection rejects it.
 */
export async function steadyRate(
  ratePerSecond: number,
  total: number,
  produce: (i: number) => Promise<void>,
) {
  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const call = produce(i);
    call.catch(() => undefined); // reported by Promise.all below, not as an unhandled rejection meanwhile
    pending.push(call);
  }
  await Promise.all(pending);
}
