// What a connector answers for a task (Kentico's IntegrationProcessResultEnum), and how loose answers are read.

/** A connector's answer to one task. */
export const IntegrationProcessResult = {
  /** Done; the task leaves the queue. */
  OK: 'OK',
  /** Failed; retried with backoff, and later tasks of the same object wait for it (other objects go on). */
  Error: 'Error',
  /** Failed, but not worth waiting for: recorded in the sync log, the task leaves the queue. */
  ErrorAndSkip: 'ErrorAndSkip',
  /** Not now: the task stays queued for a later run, without counting an attempt. */
  SkipNow: 'SkipNow',
} as const;
/** One of `IntegrationProcessResult`'s values. */
export type IntegrationProcessResult =
  (typeof IntegrationProcessResult)[keyof typeof IntegrationProcessResult];

/**
 * What a connector method may return: a result, or a result with a message (recorded with errors) and, for an
 * Error, `retryAfterMs`: the earliest next attempt the external system asked for (e.g. its `Retry-After`); the
 * queue waits at least that long, and longer when its own backoff says so.
 */
export type ProcessingOutcome =
  | IntegrationProcessResult
  | {
      readonly result: IntegrationProcessResult;
      readonly message?: string;
      readonly retryAfterMs?: number;
    };

/** A result with its message, as the processor records it. */
export interface ProcessingVerdict {
  readonly result: IntegrationProcessResult;
  readonly message?: string;
  /** An error that retrying cannot fix (e.g. data that does not fit the host): fail now, no more attempts. */
  readonly final?: boolean;
  /** Epoch ms before which an Error is not retried (from the outcome's `retryAfterMs`). */
  readonly notBefore?: number;
}

const RESULTS = new Set<string>(Object.values(IntegrationProcessResult));

/** Reads a connector's return value; anything that is not a result becomes an Error that says what came back. */
export function readOutcome(value: unknown, method: string): ProcessingVerdict {
  if (typeof value === 'string' && RESULTS.has(value)) return { result: value as IntegrationProcessResult };
  if (value && typeof value === 'object' && RESULTS.has((value as { result?: string }).result ?? '')) {
    const { result, message, retryAfterMs } = value as {
      result: IntegrationProcessResult;
      message?: unknown;
      retryAfterMs?: unknown;
    };
    const verdict = { result, message: message === undefined ? undefined : String(message) };
    return typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs > 0
      ? { ...verdict, notBefore: Date.now() + retryAfterMs }
      : verdict;
  }
  const shown = value === undefined ? 'nothing' : (JSON.stringify(value)?.slice(0, 100) ?? String(value));
  return {
    result: IntegrationProcessResult.Error,
    message: `${method} returned ${shown}, which is not a result; return 'OK', 'Error', 'ErrorAndSkip' or 'SkipNow'`,
  };
}
