// Waits for a condition in tests by polling it, bounded in time: the one helper instead of fixed sleeps.

/**
 * Polls `probe` until it returns something other than undefined/false, then resolves with it; rejects after
 * `timeoutMs` naming `what` and the last value seen.
 */
export async function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    last = await probe();
    if (last !== undefined && last !== false) return last as T;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
