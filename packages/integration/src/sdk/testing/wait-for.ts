// Waiting in tests without fixed sleeps: poll a condition, bounded in time, and say what never happened.

/**
 * Polls `condition` every 10 ms until it returns a truthy value, and resolves with that value; rejects after
 * `timeoutMs` with `what` and the last error the condition threw (assertions may throw until they hold).
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  what: string,
  timeoutMs = 5000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const cause = last instanceof Error ? `: ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
