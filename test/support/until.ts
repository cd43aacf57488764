// Waits for a condition in tests without fixed sleeps: `@syncbus/integration/sdk/testing`'s `waitFor`, the one polling helper,
// under the name the suites use.
import { waitFor } from '@syncbus/integration/sdk/testing';

/**
 * Polls `probe` every 10 ms until it returns something other than undefined/false, then resolves with it; rejects
 * after `timeoutMs` naming `what` (and the last error the probe threw: assertions may throw until they hold).
 */
export function until<T>(
  probe: () => T | undefined | false | Promise<T | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  return waitFor(probe, what, timeoutMs) as Promise<T>;
}
