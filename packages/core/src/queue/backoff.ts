// When to try a failed synchronization again: exponential backoff with full jitter, capped.
import { z } from 'zod';

/** Retry policy of a synchronization queue (staging servers and connectors share it). */
export const RetryPolicySchema = z
  .object({
    /** Attempts before a row is marked failed and waits for a person (retry or delete). */
    maxAttempts: z.number().int().min(1).default(10),
    /** Delay before the second attempt, in ms; doubles with each further attempt. */
    baseDelayMs: z.number().int().min(1).default(1000),
    /** Longest delay between attempts, in ms. */
    maxDelayMs: z
      .number()
      .int()
      .min(1)
      .default(5 * 60_000),
  })
  .strict();
/** How often and how long a failed delivery is retried: attempts, and the exponential delay's base and cap. */
export type RetryPolicy = z.infer<typeof RetryPolicySchema>;

/** Default retry policy. */
export const DEFAULT_RETRY_POLICY: RetryPolicy = RetryPolicySchema.parse({});

/**
 * Delay before the next attempt after `attempts` failures: a random value in [d/2, d] where
 * d = min(max, base * 2^(attempts-1)), so a fleet of nodes never retries in lockstep but never sooner than d/2.
 */
export function retryDelayMs(
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
